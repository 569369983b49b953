import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, isDns1123Subdomain, labels, obj, report } from "./common.ts";

/** Kubernetes ObjectMeta, as far as a manifest may carry it. */
export const objectMeta = obj({
  name: z.string().superRefine((s, ctx) => {
    if (!isDns1123Subdomain(s)) {
      report(ctx, Code.invalidName, `name "${s}" must be a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")`);
    }
  }),
  namespace: z
    .string()
    .superRefine((s, ctx) => {
      if (!isDns1123Label(s)) report(ctx, Code.invalidName, `namespace "${s}" must be a DNS-1123 label`);
    })
    .optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generateName: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.union([z.string(), z.null()]).optional(),
  deletionTimestamp: z.string().optional(),
  deletionGracePeriodSeconds: z.number().int().optional(),
  ownerReferences: z.array(z.record(z.string(), z.unknown())).optional(),
  finalizers: z.array(z.string()).optional(),
  managedFields: z.array(z.record(z.string(), z.unknown())).optional(),
  selfLink: z.string().optional(),
});

export type ObjectMeta = z.infer<typeof objectMeta>;

/**
 * The envelope of an Istio resource. `spec` is required as Istio's CRDs require it;
 * `status` is written by the control plane and accepted as-is.
 */
export function istioResource<S extends z.ZodType>(spec: S) {
  return obj({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: objectMeta,
    spec,
    status: z.unknown().optional(),
  });
}

/** A parsed, schema-checked resource of any kind, as the rest of the system sees it. */
export interface Resource<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { namespace: string };
  spec: Spec;
}
