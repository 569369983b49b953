import * as z from "zod";
import { objectMeta } from "./resource.ts";

/**
 * Kubernetes kinds that come in the same files as Istio config. They are recognised,
 * not validated field by field (that is the API server's job); their metadata is checked
 * and the parts the cross-resource checks need are read from them.
 */
export const KUBERNETES_KINDS: Record<string, readonly string[]> = {
  Namespace: ["v1"],
  Service: ["v1"],
  ServiceAccount: ["v1"],
  Endpoints: ["v1"],
  Pod: ["v1"],
  ConfigMap: ["v1"],
  Secret: ["v1"],
  PersistentVolumeClaim: ["v1"],
  Deployment: ["apps/v1"],
  StatefulSet: ["apps/v1"],
  DaemonSet: ["apps/v1"],
  ReplicaSet: ["apps/v1"],
  Job: ["batch/v1"],
  CronJob: ["batch/v1"],
  HorizontalPodAutoscaler: ["autoscaling/v1", "autoscaling/v2"],
  PodDisruptionBudget: ["policy/v1"],
  Ingress: ["networking.k8s.io/v1"],
  NetworkPolicy: ["networking.k8s.io/v1"],
  Role: ["rbac.authorization.k8s.io/v1"],
  RoleBinding: ["rbac.authorization.k8s.io/v1"],
  ClusterRole: ["rbac.authorization.k8s.io/v1"],
  ClusterRoleBinding: ["rbac.authorization.k8s.io/v1"],
};

/** Kinds whose pods are workloads (they carry a pod template). */
export const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"]);

export const kubernetesObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: objectMeta,
});

export interface PodShape {
  labels: Record<string, string>;
  serviceAccount: string;
}

/** The pod a workload kind runs: its labels and service account ("default" when unset, as Kubernetes does). */
export function podOf(kind: string, value: Record<string, unknown>): PodShape | undefined {
  if (!WORKLOAD_KINDS.has(kind)) return undefined;
  const spec = asRecord(value.spec);
  const template = kind === "Pod" ? value : asRecord(spec?.template);
  const podSpec = kind === "Pod" ? spec : asRecord(template?.spec);
  const labels = asStringMap(asRecord(template?.metadata)?.labels);
  const sa = podSpec?.serviceAccountName ?? podSpec?.serviceAccount;
  return { labels, serviceAccount: typeof sa === "string" && sa !== "" ? sa : "default" };
}

export interface ServiceShape {
  selector: Record<string, string>;
  ports: { port: number; name?: string }[];
}

export function serviceOf(value: Record<string, unknown>): ServiceShape {
  const spec = asRecord(value.spec);
  const ports = Array.isArray(spec?.ports) ? spec.ports : [];
  return {
    selector: asStringMap(spec?.selector),
    ports: ports
      .map((p) => asRecord(p))
      .filter((p): p is Record<string, unknown> => !!p && typeof p.port === "number")
      .map((p) => ({ port: p.port as number, ...(typeof p.name === "string" ? { name: p.name } : {}) })),
  };
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function asStringMap(v: unknown): Record<string, string> {
  const r = asRecord(v);
  const out: Record<string, string> = {};
  if (!r) return out;
  for (const [k, val] of Object.entries(r)) if (typeof val === "string") out[k] = val;
  return out;
}
