"use client";
import { HEADER_MATCH_TYPES, KEEP_DEFAULT, requestRoutingErrors, requestRoutingResources, requestRoutingStart, type HeaderMatchType, type RequestRoutingForm as Form } from "./request-routing";
import type { WizardDef, WizardFormProps } from "./wizard-def";
import styles from "./wizards.module.css";

function RequestRoutingForm({ form, onChange, subsets, cfg, disabled }: WizardFormProps<Form>) {
  const set = (patch: Partial<Form>) => onChange({ ...form, ...patch });
  const hasDefault = (cfg.virtualService?.spec.http ?? []).some((r) => !r.match || r.match.length === 0);
  return (
    <div className={styles.form}>
      <fieldset disabled={disabled}>
        <legend>Canary users</legend>
        <label>
          Header name
          <input value={form.header} onChange={(e) => set({ header: e.currentTarget.value })} data-testid="routing-header" placeholder="end-user" />
        </label>
        <label>
          Match
          <select value={form.matchType} onChange={(e) => set({ matchType: e.currentTarget.value as HeaderMatchType })} data-testid="routing-match-type">
            {HEADER_MATCH_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Value
          <input value={form.value} onChange={(e) => set({ value: e.currentTarget.value })} data-testid="routing-value" placeholder={form.matchType === "regex" ? "^(jason|kim)$" : "jason"} />
        </label>
        <label>
          Route them to subset
          <select value={form.subset} onChange={(e) => set({ subset: e.currentTarget.value })} data-testid="routing-subset">
            {subsets.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset disabled={disabled}>
        <legend>Everyone else</legend>
        <label>
          Default route
          <select value={form.defaultSubset} onChange={(e) => set({ defaultSubset: e.currentTarget.value })} data-testid="routing-default-subset">
            <option value={KEEP_DEFAULT}>{hasDefault ? "Keep the current default route" : "All versions (no subset)"}</option>
            {subsets.map((s) => (
              <option key={s} value={s}>
                subset {s}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
    </div>
  );
}

export const requestRouting: WizardDef<Form> = {
  start: requestRoutingStart,
  errors: requestRoutingErrors,
  resources: requestRoutingResources,
  Form: RequestRoutingForm,
};
