import "server-only";
import { appliedConfig, nodeScope, type NodeRef } from "@skein/shared";
import type { AppliedConfigResponse } from "@/client/graph/api-types";
import { resourceKey, validateStored, type ConfigValidation } from "./config-status";
import { meshState, type MeshState } from "./mesh-state";

// Validation runs once per control-plane read (meshState is shared for a few seconds).
const validated = new WeakMap<MeshState, Map<string, ConfigValidation>>();

/** The config that applies to a node, each with its validation status. */
export async function appliedConfigFor(ref: NodeRef): Promise<AppliedConfigResponse> {
  const state = await meshState();
  let status = validated.get(state);
  if (!status) {
    status = validateStored(state.resources, state.workloads);
    validated.set(state, status);
  }
  const scope = nodeScope(ref, state.workloads);
  const items = appliedConfig(scope, state.resources).map((c) => {
    const v = status.get(resourceKey({ kind: c.kind, metadata: { namespace: c.namespace, name: c.name } }));
    return { ...c, status: v?.status ?? "valid", messages: v?.messages ?? [] };
  });
  return { items, scope: { hosts: scope.hosts, workloads: scope.workloads.map((w) => w.name) } };
}
