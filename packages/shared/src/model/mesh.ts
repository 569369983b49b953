import * as z from "zod";
import { obj } from "./common.ts";

/**
 * `apiVersion: skein.dev/v1alpha1, kind: Mesh`: the workloads `skein up` runs on this
 * host. Istio documents may follow in the same file after `---`; they are applied at start.
 */
export const meshWorkloadSchema = obj({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a workload name is a DNS-1123 label"),
  namespace: z.string().default("default"),
  serviceAccount: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  service: obj({ name: z.string(), port: z.number().int().min(1).max(65535), protocol: z.string().optional() }).optional(),
  /** A command line that gets PORT in its environment, or `builtin:<app>`. */
  run: z.string().min(1),
  /** Extra environment for the workload's process. */
  env: z.record(z.string(), z.string()).default({}),
  /** How many instances (each with its own app and sidecar). */
  replicas: z.number().int().min(1).max(20).default(1),
});

export const meshSchema = obj({
  apiVersion: z.literal("skein.dev/v1alpha1"),
  kind: z.literal("Mesh"),
  metadata: obj({ name: z.string() }).optional(),
  spec: obj({ workloads: z.array(meshWorkloadSchema).min(1) }),
});

export type MeshWorkload = z.output<typeof meshWorkloadSchema>;
export type MeshFile = z.output<typeof meshSchema>;

