"use client";
import { faultInjectionErrors, faultInjectionResources, faultInjectionStart, type FaultInjectionForm as Form } from "./fault-injection";
import { RouteScopeField } from "./route-scope-field";
import type { WizardDef, WizardFormProps } from "./wizard-def";
import styles from "./wizards.module.css";

const num = (v: string) => (v === "" ? Number.NaN : Number(v));

function FaultInjectionForm({ form, onChange, disabled }: WizardFormProps<Form>) {
  return (
    <div className={styles.form}>
      <fieldset disabled={disabled}>
        <legend>
          <label className={styles.check}>
            <input type="checkbox" checked={form.delay.enabled} onChange={(e) => onChange({ ...form, delay: { ...form.delay, enabled: e.currentTarget.checked } })} data-testid="fault-delay-enabled" />
            Delay
          </label>
        </legend>
        <label>
          Percentage of requests
          <input type="number" min={0} max={100} step="any" value={Number.isNaN(form.delay.percent) ? "" : form.delay.percent} disabled={!form.delay.enabled} onChange={(e) => onChange({ ...form, delay: { ...form.delay, percent: num(e.currentTarget.value) } })} data-testid="fault-delay-percent" />
        </label>
        <label>
          Fixed delay
          <input value={form.delay.fixedDelay} disabled={!form.delay.enabled} onChange={(e) => onChange({ ...form, delay: { ...form.delay, fixedDelay: e.currentTarget.value } })} placeholder="5s" data-testid="fault-delay-fixed" />
        </label>
      </fieldset>
      <fieldset disabled={disabled}>
        <legend>
          <label className={styles.check}>
            <input type="checkbox" checked={form.abort.enabled} onChange={(e) => onChange({ ...form, abort: { ...form.abort, enabled: e.currentTarget.checked } })} data-testid="fault-abort-enabled" />
            Abort
          </label>
        </legend>
        <label>
          Percentage of requests
          <input type="number" min={0} max={100} step="any" value={Number.isNaN(form.abort.percent) ? "" : form.abort.percent} disabled={!form.abort.enabled} onChange={(e) => onChange({ ...form, abort: { ...form.abort, percent: num(e.currentTarget.value) } })} data-testid="fault-abort-percent" />
        </label>
        <label>
          HTTP status
          <input type="number" min={200} max={599} value={Number.isNaN(form.abort.httpStatus) ? "" : form.abort.httpStatus} disabled={!form.abort.enabled} onChange={(e) => onChange({ ...form, abort: { ...form.abort, httpStatus: num(e.currentTarget.value) } })} data-testid="fault-abort-status" />
        </label>
      </fieldset>
      <fieldset disabled={disabled}>
        <RouteScopeField value={form.scope} onChange={(scope) => onChange({ ...form, scope })} />
      </fieldset>
    </div>
  );
}

export const faultInjection: WizardDef<Form> = {
  start: faultInjectionStart,
  errors: faultInjectionErrors,
  resources: faultInjectionResources,
  Form: FaultInjectionForm,
};
