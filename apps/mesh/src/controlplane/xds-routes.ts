import { ackSchema, CaError, certificateRequestSchema, workloadSchema, type Workload } from "@skein/shared";
import type { CaService } from "./ca-service.ts";
import { HttpError, readJson, type RequestContext, type RouteDef } from "./http.ts";
import { claimOf, type JoinClaim } from "./join-token.ts";
import type { PushServer } from "./push.ts";
import type { WorkloadRegistry } from "./registry.ts";

export interface XdsRouteDeps {
  ca: CaService;
  push: PushServer;
  registry: WorkloadRegistry;
}

/** The workload the router authenticated from the join token (auth "sidecar"). */
function claimFrom(ctx: RequestContext): JoinClaim {
  const claim = ctx.principal === undefined ? undefined : claimOf(ctx.principal);
  if (!claim) throw new HttpError(401, "Unauthorized", "a sidecar join token is required");
  return claim;
}

function workloadFrom(ctx: RequestContext): Workload {
  const text = ctx.url.searchParams.get("workload");
  if (text === null) throw new HttpError(400, "BadRequest", "the `workload` query parameter (the Workload as JSON) is required");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, "BadJson", `workload: not JSON: ${(e as Error).message}`);
  }
  const parsed = workloadSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new HttpError(400, "BadRequest", `workload.${first.path.join(".")}: ${first.message}`);
  }
  return parsed.data;
}

/** The sidecar protocol (certificate, stream, ack) and the registry's read API. */
export function xdsRoutes(deps: XdsRouteDeps): RouteDef[] {
  return [
    {
      method: "POST",
      path: "/xds/v1/certificate",
      auth: "sidecar",
      handler: async (ctx) => {
        const claim = claimFrom(ctx);
        const { csr } = await readJson(ctx.req, certificateRequestSchema);
        try {
          const issued = await deps.ca.sign(claim, csr);
          deps.push.certificateIssued(claim, issued.spiffeId, issued.notAfter);
          return { certificate: issued.certificate, root: issued.root };
        } catch (e) {
          if (e instanceof CaError) throw new HttpError(400, "BadCsr", e.message);
          throw e;
        }
      },
    },
    {
      method: "GET",
      path: "/xds/v1/stream",
      auth: "sidecar",
      handler: async (ctx) => {
        const version = ctx.url.searchParams.get("version");
        const deltas = ctx.url.searchParams.get("delta") === "1";
        deps.push.open(claimFrom(ctx), workloadFrom(ctx), ctx.res, version === null || version === "" ? undefined : version, deltas);
        return undefined;
      },
    },
    {
      method: "POST",
      path: "/xds/v1/ack",
      auth: "sidecar",
      handler: async (ctx) => {
        const claim = claimFrom(ctx);
        deps.push.ack(claim, await readJson(ctx.req, ackSchema));
        ctx.res.writeHead(204).end();
        return undefined;
      },
    },
    { method: "GET", path: "/api/v1/proxies", auth: "none", handler: async () => ({ items: deps.push.proxyStatuses() }) },
    { method: "GET", path: "/api/v1/workloads", auth: "none", handler: async () => ({ items: deps.registry.list() }) },
  ];
}
