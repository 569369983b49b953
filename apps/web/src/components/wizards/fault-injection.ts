import { virtualServiceToEdit, withField, withDefaultRoute, type Body, type HttpRoute, type ServiceConfig } from "./service-config.ts";
import { routesInScope, type RouteScope } from "./route-scope.ts";

/** The fault injection wizard: a fixed delay and/or an HTTP abort for a share of requests. */
export interface FaultInjectionForm {
  delay: { enabled: boolean; percent: number; fixedDelay: string };
  abort: { enabled: boolean; percent: number; httpStatus: number };
  scope: RouteScope;
}

type Fault = NonNullable<HttpRoute["fault"]>;

/** Prefilled from the default route's fault, else a 5 s delay and a 503 for 10% of requests, both off. */
export function faultInjectionStart(cfg: ServiceConfig): FaultInjectionForm {
  const http = cfg.virtualService?.spec.http ?? [];
  const fault = http.findLast((r) => !r.match || r.match.length === 0)?.fault;
  const delay = fault?.delay;
  const abort = fault?.abort;
  return {
    delay: { enabled: delay !== undefined, percent: delay?.percentage?.value ?? delay?.percent ?? 10, fixedDelay: delay?.fixedDelay ?? "5s" },
    abort: { enabled: abort !== undefined, percent: abort?.percentage?.value ?? 10, httpStatus: abort?.httpStatus ?? 503 },
    scope: "default",
  };
}

export function faultInjectionErrors(form: FaultInjectionForm): string[] {
  const errors: string[] = [];
  const pct = (p: number) => Number.isFinite(p) && p >= 0 && p <= 100;
  if (form.delay.enabled && !pct(form.delay.percent)) errors.push("Delay percentage must be between 0 and 100.");
  if (form.delay.enabled && !form.delay.fixedDelay.trim()) errors.push("Enter the delay, e.g. 5s or 500ms.");
  if (form.abort.enabled && !pct(form.abort.percent)) errors.push("Abort percentage must be between 0 and 100.");
  if (form.abort.enabled && !(Number.isInteger(form.abort.httpStatus) && form.abort.httpStatus >= 200 && form.abort.httpStatus <= 599)) {
    errors.push("Abort status must be an HTTP status from 200 to 599.");
  }
  return errors;
}

export function faultOf(form: FaultInjectionForm): Fault | undefined {
  const fault: Fault = {};
  if (form.delay.enabled) fault.delay = { percentage: { value: form.delay.percent }, fixedDelay: form.delay.fixedDelay.trim() };
  if (form.abort.enabled) fault.abort = { percentage: { value: form.abort.percent }, httpStatus: form.abort.httpStatus };
  return fault.delay || fault.abort ? fault : undefined;
}

/**
 * The VirtualService with the fault on the routes in scope (replacing any fault there;
 * with both parts off, removing it). Other routes and fields stay as they are.
 */
export function faultInjectionResources(cfg: ServiceConfig, form: FaultInjectionForm): Body<unknown>[] {
  const vs = virtualServiceToEdit(cfg);
  const { http, index } = withDefaultRoute(cfg, vs);
  const fault = faultOf(form);
  for (const i of routesInScope(http, index, form.scope)) http[i] = withField(http[i]!, "fault", fault);
  vs.spec = { ...vs.spec, http };
  return [vs];
}
