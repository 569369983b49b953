import * as z from "zod";
import { Code } from "./codes.ts";
import { report } from "./common.ts";
import { isIstioDns1123Label } from "./dns-label.ts";

/**
 * `exportTo` as Istio's validateExportTo checks it without knowing the namespace: "." (this
 * namespace), "*" (every namespace), a namespace name, and for ServiceEntry "~" (nobody
 * but the service's own proxies). The checks that need the resource's namespace are in
 * `exportToNamespaceErrors`.
 */
export function exportToList(options: { serviceEntry: boolean }) {
  return z.array(z.string()).superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((e, i) => {
      if (seen.has(e)) {
        report(ctx, Code.duplicateValue, `duplicate entries in exportTo for entry ${e}`, [i]);
        return;
      }
      seen.add(e);
      if (e === "." || e === "*") return;
      if (e === "~") {
        if (!options.serviceEntry) report(ctx, Code.invalidValue, `exportTo "~" (export to nobody) is allowed only in a ServiceEntry`, [i]);
        return;
      }
      if (!isIstioDns1123Label(e)) {
        const allowed = options.serviceEntry ? `".", "*", "~"` : `".", "*"`;
        report(ctx, Code.invalidName, `exportTo entry "${e}" must be ${allowed} or a namespace name (DNS-1123 label)`, [i]);
      }
    });
    if (seen.has("*") && entries.length > 1) {
      report(ctx, Code.mutuallyExclusive, "cannot have both public (*) and non-public exportTo values for a resource", [entries.indexOf("*")]);
    }
    if (options.serviceEntry && seen.has("~") && entries.length > 1) {
      report(ctx, Code.mutuallyExclusive, "cannot export service entry to no one (~) and someone", [entries.indexOf("~")]);
    }
  });
}

/** "." names the resource's own namespace, so listing both is a duplicate. */
export function exportToNamespaceErrors(entries: readonly string[], namespace: string): { index: number; message: string }[] {
  const dot = entries.indexOf(".");
  const ns = entries.indexOf(namespace);
  if (dot < 0 || ns < 0) return [];
  return [{ index: Math.max(dot, ns), message: `duplicate entries in exportTo: . and current namespace ${namespace}` }];
}
