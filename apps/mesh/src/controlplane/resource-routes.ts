import { API_PREFIX, applyRequestSchema, parseYamlFile, rollbackRequestSchema } from "@skein/shared";
import type { ConfigStore, VersionPrecondition } from "./config-store.ts";
import { HttpError, readJson, type RequestContext, type RouteDef } from "./http.ts";
import { resolveKind } from "./resource-kind.ts";

/** What the routes need of the store. */
export type ResourceStore = Pick<ConfigStore, "list" | "get" | "apply" | "remove" | "history" | "rollback">;

const MAX_HISTORY_LIMIT = 1000;

/**
 * The config API (packages/shared/src/api/control-plane.ts): reads are open, every
 * mutation needs the admin token and is recorded with the caller as its author.
 * A resource's version travels as its ETag, so `If-Match` works as in any HTTP API.
 */
export function resourceRoutes(store: ResourceStore): RouteDef[] {
  const one = `${API_PREFIX}/resources/:kind/:namespace/:name`;
  return [
    {
      method: "GET",
      path: `${API_PREFIX}/resources`,
      auth: "none",
      handler: async ({ url }) => ({ items: await store.list({ kind: query(url, "kind"), namespace: query(url, "namespace") }) }),
    },
    {
      method: "GET",
      path: one,
      auth: "none",
      handler: async ({ params, res }) => {
        const resource = await store.get(params.kind!, params.namespace!, params.name!);
        res.setHeader("etag", `"${resource.metadata.resourceVersion}"`);
        return resource;
      },
    },
    { method: "PUT", path: one, auth: "admin", handler: (ctx) => putResource(store, ctx) },
    {
      method: "DELETE",
      path: one,
      auth: "admin",
      handler: async ({ params, url, req, principal }) => {
        const version = agreedVersion(query(url, "resourceVersion"), "the resourceVersion parameter", ifMatch(req.headers["if-match"]));
        return store.remove(params.kind!, params.namespace!, params.name!, author(principal, req), version);
      },
    },
    {
      method: "POST",
      path: `${API_PREFIX}/apply`,
      auth: "admin",
      handler: async ({ req, principal }) => store.apply(await readJson(req, applyRequestSchema), author(principal, req)),
    },
    {
      method: "GET",
      path: `${API_PREFIX}/history`,
      auth: "none",
      handler: async ({ url }) => ({
        items: await store.history({ kind: query(url, "kind"), namespace: query(url, "namespace"), name: query(url, "name"), limit: historyLimit(query(url, "limit")) }),
      }),
    },
    {
      method: "POST",
      path: `${API_PREFIX}/rollback`,
      auth: "admin",
      handler: async ({ req, principal }) => store.rollback(await readJson(req, rollbackRequestSchema), author(principal, req)),
    },
  ];
}

/**
 * PUT replaces the one resource its path names. The document may leave the namespace
 * out (the path's is used); anything it does name must agree with the path.
 */
async function putResource(store: ResourceStore, { params, req, principal }: RequestContext) {
  const kind = resolveKind(params.kind!);
  const { namespace, name } = params as { namespace: string; name: string };
  const request = await readJson(req, applyRequestSchema);
  if (request.files.length !== 1) throw badRequest(`PUT takes one file with one document, not ${request.files.length} files; use POST ${API_PREFIX}/apply for several`);
  const file = request.files[0]!;
  const parsed = parseYamlFile(file.file, file.text);
  // Broken YAML is the validator's to report, with its line, as a 422.
  let documentVersion: string | undefined;
  if (parsed.errors.length === 0) {
    if (parsed.documents.length !== 1) throw badRequest(`PUT takes exactly one document, ${file.file} has ${parsed.documents.length}; use POST ${API_PREFIX}/apply for several`);
    const doc = (parsed.documents[0]!.value ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } };
    const mismatch = [
      doc.kind !== kind ? `kind "${String(doc.kind)}"` : "",
      doc.metadata?.name !== name ? `name "${String(doc.metadata?.name)}"` : "",
      doc.metadata?.namespace !== undefined && doc.metadata.namespace !== namespace ? `namespace "${String(doc.metadata.namespace)}"` : "",
    ].filter(Boolean);
    if (mismatch.length > 0) throw badRequest(`the document's ${mismatch.join(", ")} must match the path ${kind}/${namespace}/${name}`);
    if (typeof doc.metadata?.resourceVersion === "string") documentVersion = doc.metadata.resourceVersion;
  }
  const version = agreedVersion(documentVersion, "the document's metadata.resourceVersion", ifMatch(req.headers["if-match"]));
  const preconditions: VersionPrecondition[] = version === undefined ? [] : [{ kind, namespace, name, resourceVersion: version }];
  return store.apply({ ...request, namespace }, author(principal, req), preconditions);
}

/**
 * Who a change is recorded under. A caller holding the admin token may act for a named
 * user (the console signs its users in and passes `X-Skein-Author`); anyone else is the
 * principal its credential proves.
 */
export function author(principal: string | undefined, req: { headers: Record<string, string | string[] | undefined> }): string {
  const claimed = req.headers["x-skein-author"];
  const name = (Array.isArray(claimed) ? claimed[0] : claimed)?.trim();
  if (principal === "admin" && name && /^[\w.@:-]{1,100}$/.test(name)) return name;
  return principal ?? "admin";
}

function query(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === "" ? undefined : v;
}

/** The version an `If-Match` header asks for: `"3"`, `W/"3"` or a bare `3`; `*` asks for none. */
export function ifMatch(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value === "*") return undefined;
  return value.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** One expected version from two places that may name it; they must not disagree. */
function agreedVersion(version: string | undefined, what: string, header: string | undefined): string | undefined {
  if (version !== undefined && header !== undefined && version !== header) {
    throw badRequest(`If-Match "${header}" and ${what} "${version}" disagree; send one expected version`);
  }
  return version ?? header;
}

function historyLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY_LIMIT) throw badRequest(`limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, not "${value}"`);
  return n;
}

function badRequest(message: string): HttpError {
  return new HttpError(400, "BadRequest", message);
}
