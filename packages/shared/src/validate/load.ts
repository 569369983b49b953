import { Code } from "../model/codes.ts";
import { didYouMean } from "../model/common.ts";
import { KUBERNETES_KINDS, kubernetesObject } from "../model/k8s.ts";
import { findIstioKind, ISTIO_KINDS, UNMODELLED_ISTIO_KINDS } from "../model/kinds.ts";
import { meshSchema } from "../model/mesh.ts";
import type { Resource } from "../model/resource.ts";
import type { SourceDocument } from "../yaml/source.ts";
import { findingsFromIssues, type SchemaFinding } from "./issues.ts";

export type ResourceFamily = "istio" | "kubernetes" | "unmodelled" | "skein";

/** A resource read from a document, with where it came from. */
export interface LoadedResource {
  resource: Resource;
  family: ResourceFamily;
  source: SourceDocument;
  /** The raw document, for kinds that are not modelled field by field. */
  raw: Record<string, unknown>;
}

export interface LoadResult {
  loaded?: LoadedResource;
  findings: (SchemaFinding & { severity: "error" | "warning" | "info" })[];
  identity: { kind?: string; name?: string; namespace?: string };
}

const ALL_KIND_NAMES = ["Mesh", ...ISTIO_KINDS.map((k) => k.kind), ...Object.keys(UNMODELLED_ISTIO_KINDS), ...Object.keys(KUBERNETES_KINDS)];

export interface LoadOptions {
  /** Namespace for resources that do not name one (kubectl's current namespace). */
  defaultNamespace: string;
}

/**
 * Checks one document against the schema of its kind. A resource is returned only when
 * the document is free of errors, so later checks never see a half-valid object.
 */
export function loadDocument(doc: SourceDocument, options: LoadOptions): LoadResult {
  const v = doc.value;
  const error = (code: string, message: string, path: (string | number)[] = []) => ({
    severity: "error" as const,
    code,
    message,
    path,
  });
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { findings: [error(Code.notAnObject, "a resource must be a mapping with apiVersion, kind, metadata and spec")], identity: {} };
  }
  const raw = v as Record<string, unknown>;
  const meta = raw.metadata as Record<string, unknown> | undefined;
  const identity = {
    ...(typeof raw.kind === "string" ? { kind: raw.kind } : {}),
    ...(meta && typeof meta.name === "string" ? { name: meta.name } : {}),
    ...(meta && typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
  };
  const missing = (["apiVersion", "kind"] as const).filter((f) => typeof raw[f] !== "string" || raw[f] === "");
  if (missing.length > 0) {
    return { findings: missing.map((f) => error(Code.missingTypeMeta, `missing required field "${f}"`, [f])), identity };
  }
  const kind = raw.kind as string;
  const apiVersion = raw.apiVersion as string;
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/", 2) as [string, string]) : ["", apiVersion];

  const istio = findIstioKind(kind);
  if (istio) {
    if (group !== istio.group || !istio.versions.includes(version)) {
      const expected = istio.versions.map((ver) => `${istio.group}/${ver}`);
      return {
        findings: [error(Code.unsupportedVersion, `apiVersion "${apiVersion}" is not served for ${kind}: use one of ${expected.join(", ")}`, ["apiVersion"])],
        identity,
      };
    }
    // Inputs in issues are only needed for messages: ask for them only when there are issues.
    const parsed = istio.schema.safeParse(raw).success ? { success: true as const } : istio.schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      return { findings: findingsFromIssues(parsed.error.issues).map((f) => ({ severity: "error" as const, ...f })), identity };
    }
    return { loaded: toLoaded(raw, "istio", doc, options), findings: [], identity };
  }

  // `skein up`'s own file format may sit beside the Istio documents it carries.
  if (kind === "Mesh" && apiVersion === "skein.dev/v1alpha1") {
    const parsed = meshSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) return { findings: findingsFromIssues(parsed.error.issues).map((f) => ({ severity: "error" as const, ...f })), identity };
    return { findings: [], identity };
  }

  const unmodelledGroups = UNMODELLED_ISTIO_KINDS[kind];
  if (unmodelledGroups && unmodelledGroups.includes(group)) {
    const parsed = kubernetesObject.safeParse(raw, { reportInput: true });
    const findings: LoadResult["findings"] = parsed.success ? [] : findingsFromIssues(parsed.error.issues).map((f) => ({ severity: "error" as const, ...f }));
    findings.push({ severity: "info", code: Code.unknownKind, message: `${kind} is an Istio kind that Skein accepts but does not validate or apply`, path: ["kind"] });
    return { ...(parsed.success ? { loaded: toLoaded(raw, "unmodelled", doc, options) } : {}), findings, identity };
  }

  const k8sVersions = KUBERNETES_KINDS[kind];
  if (k8sVersions) {
    if (!k8sVersions.includes(apiVersion)) {
      return {
        findings: [error(Code.unsupportedVersion, `apiVersion "${apiVersion}" is not served for ${kind}: use ${k8sVersions.join(" or ")}`, ["apiVersion"])],
        identity,
      };
    }
    const parsed = kubernetesObject.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      return { findings: findingsFromIssues(parsed.error.issues).map((f) => ({ severity: "error" as const, ...f })), identity };
    }
    return { loaded: toLoaded(raw, "kubernetes", doc, options), findings: [], identity };
  }

  return {
    findings: [error(Code.unknownKind, `unknown kind "${kind}"${didYouMean(kind, ALL_KIND_NAMES)}`, ["kind"])],
    identity,
  };
}

function toLoaded(raw: Record<string, unknown>, family: ResourceFamily, source: SourceDocument, options: LoadOptions): LoadedResource {
  const metadata = raw.metadata as Resource["metadata"];
  // Cluster-scoped kinds have no namespace; Namespace objects are their own.
  const namespace = metadata.namespace ?? (raw.kind === "Namespace" ? metadata.name : options.defaultNamespace);
  return {
    resource: { apiVersion: raw.apiVersion as string, kind: raw.kind as string, metadata: { ...metadata, namespace }, spec: raw.spec },
    family,
    source,
    raw,
  };
}
