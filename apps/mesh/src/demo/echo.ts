import { json, parseDelay, serve, sleep, type AppEnv } from "./app-env.ts";

/**
 * `builtin:echo`: answers JSON with who it is and what it received — the headers include
 * x-forwarded-client-cert, so the caller's identity shows — and obeys `?status=N` and
 * `?delay=DURATION`.
 */
export async function runEcho(env: AppEnv) {
  return serve(env, async (req, res) => {
    const url = new URL(req.url ?? "/", "http://echo");
    await sleep(parseDelay(url.searchParams.get("delay")));
    const status = Number(url.searchParams.get("status") ?? 200);
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    json(res, status >= 100 && status <= 599 ? status : 400, {
      workload: env.workload,
      namespace: env.namespace,
      version: env.version,
      method: req.method,
      path: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
  });
}
