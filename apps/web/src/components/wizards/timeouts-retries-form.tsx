"use client";
import { RETRY_ON_POLICIES } from "@skein/shared/browser";
import { RouteScopeField } from "./route-scope-field";
import { timeoutsRetriesErrors, timeoutsRetriesResources, timeoutsRetriesStart, type TimeoutsRetriesForm as Form } from "./timeouts-retries";
import type { WizardDef, WizardFormProps } from "./wizard-def";
import styles from "./wizards.module.css";

function TimeoutsRetriesForm({ form, onChange, disabled }: WizardFormProps<Form>) {
  const set = (patch: Partial<Form>) => onChange({ ...form, ...patch });
  const conditions = form.retryOn.split(",").map((c) => c.trim()).filter(Boolean);
  const toggle = (c: string, on: boolean) => set({ retryOn: (on ? [...conditions, c] : conditions.filter((x) => x !== c)).join(",") });
  return (
    <div className={styles.form}>
      <fieldset disabled={disabled}>
        <legend>Timeout</legend>
        <label>
          Request timeout (empty: none)
          <input value={form.timeout} onChange={(e) => set({ timeout: e.currentTarget.value })} placeholder="10s" data-testid="timeout" />
        </label>
      </fieldset>
      <fieldset disabled={disabled}>
        <legend>Retries</legend>
        <label>
          Attempts (empty: mesh default; 0: off)
          <input type="number" min={0} step={1} value={form.attempts ?? ""} onChange={(e) => set({ attempts: e.currentTarget.value === "" ? undefined : e.currentTarget.valueAsNumber })} data-testid="retry-attempts" />
        </label>
        <label>
          Per-try timeout
          <input value={form.perTryTimeout} onChange={(e) => set({ perTryTimeout: e.currentTarget.value })} placeholder="2s" data-testid="retry-per-try-timeout" />
        </label>
        <label>
          Retry on
          <input value={form.retryOn} onChange={(e) => set({ retryOn: e.currentTarget.value })} placeholder="5xx,connect-failure" data-testid="retry-on" />
        </label>
        <div className={styles.chips}>
          {RETRY_ON_POLICIES.map((c) => (
            <label key={c} className={styles.check}>
              <input type="checkbox" checked={conditions.includes(c)} onChange={(e) => toggle(c, e.currentTarget.checked)} />
              {c}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={disabled}>
        <RouteScopeField value={form.scope} onChange={(scope) => set({ scope })} />
      </fieldset>
    </div>
  );
}

export const timeoutsRetries: WizardDef<Form> = {
  start: timeoutsRetriesStart,
  errors: timeoutsRetriesErrors,
  resources: timeoutsRetriesResources,
  Form: TimeoutsRetriesForm,
};
