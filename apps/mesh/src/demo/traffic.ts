import { callService, json, serve, type AppEnv } from "./app-env.ts";

/**
 * `builtin:traffic`: a steady stream of shoppers to productpage, through this workload's
 * sidecar, so the mesh has live traffic. One in ten requests comes from the user "jason"
 * (the end-user header bookinfo's routing examples match on). The rate is throttled over
 * HTTP: `GET /rate` reads it, `PUT /rate?value=N` sets it (0 pauses; at most 200 req/s).
 */
export async function runTraffic(env: AppEnv, initialRate = Number(process.env.SKEIN_TRAFFIC_RATE ?? 5)) {
  let rate = clampRate(initialRate);
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  const server = await serve(env, (req, res) => {
    const url = new URL(req.url ?? "/", "http://traffic");
    if (url.pathname === "/rate" && req.method === "PUT") {
      const v = Number(url.searchParams.get("value"));
      if (!Number.isFinite(v) || v < 0) return json(res, 400, { error: "value must be a number of requests per second, 0 or more" });
      rate = clampRate(v);
    }
    if (url.pathname === "/rate" || url.pathname === "/") return json(res, 200, { rate, sent, failed, inFlight });
    json(res, 404, { error: "try GET /rate or PUT /rate?value=N" });
  });
  // A tick every 100 ms sends this tick's share; fractional rates accumulate.
  let credit = 0;
  const timer = setInterval(() => {
    credit += rate / 10;
    while (credit >= 1 && inFlight < 200) {
      credit -= 1;
      const user: Record<string, string> = Math.random() < 0.1 ? { "end-user": "jason" } : {};
      inFlight++;
      sent++;
      callService(env, "productpage:9080", `/productpage/${Math.random() < 0.5 ? 0 : 1}`, { "user-agent": "skein-traffic", ...user })
        .then((r) => {
          if (r.status >= 500) failed++;
        })
        .catch(() => failed++)
        .finally(() => inFlight--);
    }
    if (inFlight >= 200) credit = 0;
  }, 100);
  server.on("close", () => clearInterval(timer));
  return server;
}

function clampRate(v: number): number {
  return Math.max(0, Math.min(200, v));
}
