import type { ApplyResult, Diagnostic } from "@skein/shared/browser";
import { ApiFailure } from "../../client/api";
import { diagnosticsOf } from "../../client/config/queries";

/** "VirtualService shop/reviews updated (version 3)"; several changes are joined. */
export function describeResult(result: ApplyResult): string {
  if (result.changes.length === 0) return "Nothing to change.";
  const parts = result.changes.map((c) => {
    const what = `${c.kind} ${c.namespace}/${c.name}`;
    const verb = { create: "created", update: "updated", delete: "deleted", unchanged: "unchanged" }[c.operation];
    return `${what} ${verb}${c.resourceVersion && c.operation !== "delete" ? ` (version ${c.resourceVersion})` : ""}`;
  });
  const prefix = result.dryRun ? "Dry run: " : result.changeSet !== undefined ? `Change set ${result.changeSet}: ` : "";
  return prefix + parts.join("; ") + ".";
}

/** What went wrong with a change, in words a user can act on, and the control plane's diagnostics if any. */
export function describeFailure(e: unknown, action: string): { message: string; diagnostics: Diagnostic[]; conflict: boolean } {
  if (!(e instanceof ApiFailure)) return { message: `${action} failed: ${e instanceof Error ? e.message : String(e)}`, diagnostics: [], conflict: false };
  const diagnostics = diagnosticsOf(e.body);
  switch (e.status) {
    case 409:
      return { message: `${action} refused: the resource changed since you loaded it. ${e.message}`, diagnostics, conflict: true };
    case 422:
      return { message: `${action} refused by the control plane's validation: ${e.message}. Fix the findings below and try again.`, diagnostics, conflict: false };
    case 401:
      return { message: `${action} failed: your session has ended. Sign in again.`, diagnostics, conflict: false };
    case 403:
      return { message: `${action} refused: ${e.message}`, diagnostics, conflict: false };
    default:
      return { message: `${action} failed (HTTP ${e.status}): ${e.message}`, diagnostics, conflict: false };
  }
}
