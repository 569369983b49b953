import { pruneEmpty, virtualServiceToEdit, withDefaultRoute, withField, type Body, type HttpRoute, type ServiceConfig } from "./service-config.ts";
import { routesInScope, type RouteScope } from "./route-scope.ts";

/**
 * The timeouts and retries wizard. An empty field leaves that setting to the mesh default
 * (Istio: no timeout; 2 attempts on connect-failure, refused-stream, unavailable,
 * cancelled, retriable-status-codes); `attempts: 0` turns retries off.
 */
export interface TimeoutsRetriesForm {
  timeout: string;
  /** undefined: no retry policy on the route. */
  attempts: number | undefined;
  perTryTimeout: string;
  retryOn: string;
  scope: RouteScope;
}

export function timeoutsRetriesStart(cfg: ServiceConfig): TimeoutsRetriesForm {
  const http = cfg.virtualService?.spec.http ?? [];
  const route = http.findLast((r) => !r.match || r.match.length === 0);
  return {
    timeout: route?.timeout ?? "",
    attempts: route?.retries?.attempts,
    perTryTimeout: route?.retries?.perTryTimeout ?? "",
    retryOn: route?.retries?.retryOn ?? "",
    scope: "default",
  };
}

/**
 * Only what the YAML cannot show: without attempts the route gets no retry policy, so the
 * other retry fields would be dropped unseen. The values themselves (attempts, durations,
 * retryOn) are checked by the model's validation of the generated YAML.
 */
export function timeoutsRetriesErrors(form: TimeoutsRetriesForm): string[] {
  if (form.attempts === undefined && (form.perTryTimeout.trim() || form.retryOn.trim())) return ["Set the number of attempts for the retry settings to apply."];
  return [];
}

/**
 * The VirtualService with timeout and retries set on the routes in scope; an empty field
 * removes the setting there. Other retry fields (backoff, retryRemoteLocalities) are kept.
 */
export function timeoutsRetriesResources(cfg: ServiceConfig, form: TimeoutsRetriesForm): Body<unknown>[] {
  const vs = virtualServiceToEdit(cfg);
  const { http, index } = withDefaultRoute(cfg, vs);
  for (const i of routesInScope(http, index, form.scope)) {
    const route = http[i]!;
    const retries: HttpRoute["retries"] =
      form.attempts === undefined
        ? undefined
        : pruneEmpty({
            ...route.retries,
            attempts: form.attempts,
            perTryTimeout: form.perTryTimeout.trim() || undefined,
            retryOn: form.retryOn.trim() || undefined,
          });
    http[i] = withField(withField(route, "timeout", form.timeout.trim() || undefined), "retries", retries);
  }
  vs.spec = { ...vs.spec, http };
  return [vs];
}
