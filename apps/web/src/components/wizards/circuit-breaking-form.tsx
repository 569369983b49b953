"use client";
import { circuitBreakingErrors, circuitBreakingResources, circuitBreakingStart, type CircuitBreakingForm as Form } from "./circuit-breaking";
import type { WizardDef, WizardFormProps } from "./wizard-def";
import styles from "./wizards.module.css";

type NumberField = "maxConnections" | "http1MaxPendingRequests" | "maxRequestsPerConnection" | "consecutive5xxErrors" | "maxEjectionPercent";

function CircuitBreakingForm({ form, onChange, disabled }: WizardFormProps<Form>) {
  const number = (field: NumberField, label: string) => (
    <label>
      {label}
      <input
        type="number"
        min={0}
        step={1}
        value={form[field] ?? ""}
        onChange={(e) => onChange({ ...form, [field]: e.currentTarget.value === "" ? undefined : e.currentTarget.valueAsNumber })}
        data-testid={`cb-${field}`}
      />
    </label>
  );
  const text = (field: "interval" | "baseEjectionTime", label: string, placeholder: string) => (
    <label>
      {label}
      <input value={form[field]} onChange={(e) => onChange({ ...form, [field]: e.currentTarget.value })} placeholder={placeholder} data-testid={`cb-${field}`} />
    </label>
  );
  return (
    <div className={styles.form}>
      <p className="muted">Empty fields are left out, so Envoy&apos;s defaults apply.</p>
      <fieldset disabled={disabled}>
        <legend>Connection pool</legend>
        {number("maxConnections", "TCP max connections")}
        {number("http1MaxPendingRequests", "HTTP/1.1 max pending requests")}
        {number("maxRequestsPerConnection", "Max requests per connection")}
      </fieldset>
      <fieldset disabled={disabled}>
        <legend>Outlier detection</legend>
        {number("consecutive5xxErrors", "Consecutive 5xx errors")}
        {text("interval", "Interval", "10s")}
        {text("baseEjectionTime", "Base ejection time", "30s")}
        {number("maxEjectionPercent", "Max ejection percent")}
      </fieldset>
    </div>
  );
}

export const circuitBreaking: WizardDef<Form> = {
  start: circuitBreakingStart,
  errors: circuitBreakingErrors,
  resources: circuitBreakingResources,
  Form: CircuitBreakingForm,
};
