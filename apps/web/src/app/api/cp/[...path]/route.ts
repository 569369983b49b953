import { requireEditor, requireViewer } from "@/server/auth";
import { controlPlane } from "@/server/control-plane";
import { ApiError, handle } from "@/server/http";

/**
 * The console's window on the control plane's API. Reads need a signed-in user; writes
 * need an editor with a CSRF token and are recorded under the user's name. Only the
 * paths the console uses pass.
 */
const READS = [/^api\/v1\/(resources|history|workloads|proxies)(\/|$)/, /^api\/(traces|services)(\/|$)/];
const WRITES: Record<string, RegExp> = {
  POST: /^api\/v1\/(apply|rollback)$/,
  PUT: /^api\/v1\/resources\/[^/]+\/[^/]+\/[^/]+$/,
  DELETE: /^api\/v1\/resources\/[^/]+\/[^/]+\/[^/]+$/,
};

type Params = { params: Promise<{ path: string[] }> };

function target(path: string[], req: Request): string {
  return "/" + path.map(encodeURIComponent).join("/") + new URL(req.url).search;
}

async function relay(res: Response): Promise<Response> {
  return new Response(await res.text(), { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json", ...(res.headers.get("etag") ? { etag: res.headers.get("etag")! } : {}) } });
}

export async function GET(req: Request, { params }: Params) {
  return handle(async () => {
    await requireViewer();
    const path = (await params).path;
    if (!READS.some((r) => r.test(path.join("/")))) throw new ApiError(404, "NotFound", `no console API at /api/cp/${path.join("/")}`);
    return relay(await controlPlane(target(path, req)));
  });
}

async function write(req: Request, { params }: Params) {
  return handle(async () => {
    const path = (await params).path;
    if (!WRITES[req.method]?.test(path.join("/"))) throw new ApiError(404, "NotFound", `no console API for ${req.method} /api/cp/${path.join("/")}`);
    const who = await requireEditor(req);
    const text = await req.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    const ifMatch = req.headers.get("if-match");
    return relay(await controlPlane(target(path, req), { method: req.method, body, author: who.username, ...(ifMatch ? { headers: { "if-match": ifMatch } } : {}) }));
  });
}

export const POST = write;
export const PUT = write;
export const DELETE = write;
