import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { joinTokenRequestSchema } from "@skein/shared";
import { openDatabase, type Database } from "../store/db.ts";
import { migrate } from "../store/migrate.ts";
import { CaService } from "./ca-service.ts";
import { ConfigStore } from "./config-store.ts";
import { eventRoutes } from "./events.ts";
import { HttpError, readJson } from "./http.ts";
import { JoinTokens } from "./join-token.ts";
import { otlpRoutes } from "./otlp-receiver.ts";
import { createPrivateFile, readPrivateFile } from "./private-file.ts";
import { prometheusSdRoutes } from "./prometheus-sd.ts";
import { PushServer } from "./push.ts";
import { WorkloadRegistry } from "./registry.ts";
import { resourceRoutes } from "./resource-routes.ts";
import { Router } from "./router.ts";
import { traceRoutes } from "./trace-routes.ts";
import { TraceStore } from "./trace-store.ts";
import { xdsRoutes } from "./xds-routes.ts";

export interface ControlPlaneOptions {
  stateDir: string;
  port: number;
  /** Loopback unless told otherwise: the admin API changes the mesh. */
  host?: string;
  /** A Prisma datasource URL; default file:<stateDir>/skein.db (SQLite). */
  databaseUrl?: string;
  trustDomain?: string;
  workloadCertTtlMs?: number;
  rootCertFile?: string;
  rootKeyFile?: string;
  log?: (line: string) => void;
}

/**
 * `skein controlplane`: the config store, the workload registry, push to sidecars, the
 * CA, the span store and the API, on one HTTP server.
 */
export class ControlPlane {
  private constructor(
    readonly server: Server,
    readonly url: string,
    private readonly parts: { db: Database; store: ConfigStore; registry: WorkloadRegistry; push: PushServer; traces: TraceStore },
  ) {}

  static async start(o: ControlPlaneOptions): Promise<ControlPlane> {
    const log = o.log ?? (() => undefined);
    const dbFile = join(o.stateDir, "skein.db");
    const databaseUrl = o.databaseUrl ?? `file:${dbFile}`;
    if (databaseUrl.startsWith("file:")) migrate(databaseUrl.slice(5));
    const db = openDatabase(databaseUrl);
    const tokenFile = join(o.stateDir, "admin-token");
    await createPrivateFile(tokenFile, randomBytes(24).toString("base64url") + "\n");
    const adminToken = (await readPrivateFile(tokenFile)).trim();
    const ca = await CaService.open({ stateDir: o.stateDir, ...(o.trustDomain ? { trustDomain: o.trustDomain } : {}), ...(o.workloadCertTtlMs ? { workloadTtlMs: o.workloadCertTtlMs } : {}), ...(o.rootCertFile ? { rootCertFile: o.rootCertFile } : {}), ...(o.rootKeyFile ? { rootKeyFile: o.rootKeyFile } : {}) });
    const tokens = await JoinTokens.open(o.stateDir);
    const registry = await WorkloadRegistry.restore({ stateFile: join(o.stateDir, "registry.json"), log });
    const store = await ConfigStore.open(db, { context: () => registry.validationContext() });
    const push = new PushServer({ config: store, registry, trustDomain: ca.trustDomain, log });
    const traces = new TraceStore(db);
    traces.startRetention();

    const router = new Router({
      admin: (header) => (bearerMatches(header, adminToken) ? "admin" : undefined),
      sidecar: (header) => tokens.authenticate(header),
    });
    router.add(
      { method: "GET", path: "/healthz", auth: "none", handler: async () => ({ status: "ok" }) },
      {
        method: "POST",
        path: "/api/v1/join-tokens",
        auth: "admin",
        handler: async (ctx) => {
          const claim = await readJson(ctx.req, joinTokenRequestSchema);
          try {
            return { token: tokens.mint(claim) };
          } catch (e) {
            throw new HttpError(400, "BadRequest", (e as Error).message);
          }
        },
      },
      ...resourceRoutes(store),
      ...xdsRoutes({ ca, push, registry }),
      ...otlpRoutes({ store: traces }),
      ...traceRoutes({ store: traces }),
      ...prometheusSdRoutes({ workloads: () => registry.list() }),
      ...eventRoutes({ subscribeConfig: (l) => store.onChange(l), subscribeProxy: (l) => push.onStatus(l) }),
    );
    const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => void router.handle(req, res));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port, o.host ?? "127.0.0.1", () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
    return new ControlPlane(server, url, { db, store, registry, push, traces });
  }

  get store(): ConfigStore {
    return this.parts.store;
  }

  async stop(): Promise<void> {
    this.parts.push.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.parts.traces.stop();
    await this.parts.registry.close();
    await this.parts.db.$disconnect();
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
