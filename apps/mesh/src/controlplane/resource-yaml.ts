import { parseYamlFile, type LoadedResource, type Position, type Resource, type SourceDocument } from "@skein/shared";
import { stringify } from "yaml";
import { unifiedDiff } from "./resource-diff.ts";

/**
 * What the store keeps of a resource: what its author wrote that means something.
 * Server-managed metadata (resourceVersion, uid, creationTimestamp, managedFields, ...)
 * and status are dropped, so that re-applying the output of `skein get -o yaml` is an
 * "unchanged", not an update.
 */
export interface ResourceBody {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: unknown;
}

export interface ResourceKey {
  kind: string;
  namespace: string;
  name: string;
}

/** kubectl writes the whole previous object here; it is bookkeeping, not config. */
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function bodyOf(resource: Resource): ResourceBody {
  const m = resource.metadata;
  const annotations = Object.fromEntries(Object.entries(m.annotations ?? {}).filter(([k]) => k !== LAST_APPLIED));
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      ...(m.labels && Object.keys(m.labels).length > 0 ? { labels: m.labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: resource.spec,
  };
}

export function keyOf(r: ResourceKey): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

export function resourceKey(r: Resource): ResourceKey {
  return { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name };
}

/** `VirtualService default/reviews`, as messages name a resource. */
export function describe(r: ResourceKey): string {
  return `${r.kind} ${r.namespace}/${r.name}`;
}

/**
 * The body as YAML, in the order its author wrote it; "" for none. Written as YAML 1.1 so
 * that strings a 1.1 reader would take for something else ("2024-01-01", "on") are quoted:
 * the validator's parser, kubectl and Go's yaml.v2 are 1.1 readers.
 */
export function renderYaml(body: ResourceBody | null): string {
  return body ? stringify(body, { lineWidth: 0, version: "1.1" }) : "";
}

/** Equal in meaning: key order in maps does not count, order in lists does. */
export function sameBody(a: ResourceBody | null, b: ResourceBody | null): boolean {
  if (a === null || b === null) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}

/** The unified diff of a resource's YAML from `before` to `after` (null = absent), git-style labels. */
export function diffBodies(key: ResourceKey, before: ResourceBody | null, after: ResourceBody | null): string {
  const path = keyOf(key);
  return unifiedDiff(renderYaml(before), renderYaml(after), { from: before ? `a/${path}` : "/dev/null", to: after ? `b/${path}` : "/dev/null" });
}

/**
 * A stored resource in the shape the validator takes. Its source is the YAML the store
 * would show for it, parsed only if a finding about it needs a line number.
 */
export function loadedFromStore(body: ResourceBody): LoadedResource {
  const raw = body as unknown as Record<string, unknown>;
  const resource: Resource = { apiVersion: body.apiVersion, kind: body.kind, metadata: body.metadata, spec: body.spec };
  const file = `store:${keyOf(resourceKey(resource))}`;
  const position: Position = { line: 1, column: 1 };
  let rendered: SourceDocument | undefined;
  const locate = (path: Parameters<SourceDocument["locate"]>[0]) => (rendered ??= parseYamlFile(file, renderYaml(body)).documents[0])?.locate(path) ?? position;
  return { resource, family: "istio", raw, source: { file, index: 0, position, value: raw, locate } };
}
