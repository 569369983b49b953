import * as z from "zod";
import { requireViewer } from "@/server/auth";
import { ApiError, handle } from "@/server/http";
import { evaluateRouteTest, RouteTestInputError } from "@/server/route-test/evaluate";
import { fetchMeshState } from "@/server/route-test/mesh-state";

const requestSchema = z.object({
  source: z.object({ namespace: z.string().min(1), name: z.string().min(1) }),
  host: z.string().min(1, "the host is required, e.g. reviews:9080"),
  method: z.string().regex(/^[A-Za-z]+$/, "the method is a word such as GET").default("GET"),
  path: z.string().default("/"),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
});

/**
 * POST /api/route-test: where one request from a source workload's sidecar goes, computed
 * from the control plane's current config and registry by the sidecar's own compiler and
 * route matching. Reads only: any signed-in user may ask.
 */
export async function POST(req: Request) {
  return handle(async () => {
    await requireViewer();
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      throw new ApiError(400, "BadJson", "the body must be JSON: {source: {namespace, name}, host, method, path, headers}");
    }
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw new ApiError(400, "BadRequest", `${first.path.join(".") || "body"}: ${first.message}`);
    }
    const { mesh, proxies } = await fetchMeshState();
    try {
      const result = evaluateRouteTest(mesh, parsed.data);
      const proxy = proxies.find((p) => p.namespace === parsed.data.source.namespace && p.workload === parsed.data.source.name);
      return { ...result, ...(proxy ? { proxy } : {}) };
    } catch (e) {
      if (e instanceof RouteTestInputError) throw new ApiError(404, "UnknownSource", e.message);
      throw e;
    }
  });
}
