// `npx tsx bench/proxy-ab.ts <before.mjs> <after.mjs> [rounds]`: the two-sidecar mTLS
// topology of bench/proxy.ts measured with two builds of the sidecar bundle, alternating
// round by round, so that a neighbour's load on the shared machine hits both builds alike.
// Prints each round's rows and the median per build.
// A build may carry the Node/V8 options to start its sidecars with, in one argument:
// `"after.mjs --max-semi-space-size=1"`; `"before.mjs -"` starts them with none; a bare
// bundle gets the options every sidecar starts with (SIDECAR_NODE_OPTIONS).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureTopology, PLAN, type Measurement } from "./proxy/measure.ts";
import { startProcess, type Started } from "./proxy/processes.ts";
import { CLIENT_SA, SERVER_SA, SERVICE_HOST, SERVICE_PORT, serviceEntryYaml, startSidecar, STRICT_MTLS_YAML, writeCerts, type BenchCerts } from "./proxy/sidecars.ts";

const [beforeArg, afterArg, roundsArg] = process.argv.slice(2);
if (!beforeArg || !afterArg) {
  console.error('usage: tsx bench/proxy-ab.ts "<before-bundle.mjs> [node options | -]" "<after-bundle.mjs> [node options | -]" [rounds]');
  process.exit(2);
}

interface Build {
  bundle: string;
  nodeFlags?: string[];
}

function parseBuild(arg: string): Build {
  const [bundle, ...flags] = arg.trim().split(/\s+/);
  if (flags.length === 0) return { bundle: bundle! };
  return { bundle: bundle!, nodeFlags: flags[0] === "-" ? [] : flags };
}

const before = parseBuild(beforeArg);
const after = parseBuild(afterArg);
const rounds = Number(roundsArg ?? 3);
const log = (line: string) => console.log(`  ${line}`);

async function measureBuild(label: string, build: Build, dir: string, certs: BenchCerts, app: Started, appPort: number): Promise<Measurement> {
  const server = await startSidecar({ name: "bench-app-v1", dir, yaml: `${serviceEntryYaml(appPort)}---\n${STRICT_MTLS_YAML}`, serviceAccount: SERVER_SA, labels: "app=bench-app,version=v1", certs, pem: certs.server, appPort, ...build });
  const client = await startSidecar({ name: "bench-client", dir, yaml: serviceEntryYaml(server.inboundPort!, SERVER_SA), serviceAccount: CLIENT_SA, labels: "app=bench-client,version=v1", certs, pem: certs.client, ...build }).catch(async (e: unknown) => {
    await server.process.stop();
    throw e;
  });
  try {
    return await measureTopology(
      {
        label,
        target: { origin: `http://127.0.0.1:${client.outboundPort}`, host: `${SERVICE_HOST}:${SERVICE_PORT}`, path: "/" },
        proxies: [
          { name: "client", pid: client.process.pid },
          { name: "server", pid: server.process.pid },
        ],
        appPid: app.pid,
      },
      log,
    );
  } finally {
    await client.process.stop();
    await server.process.stop();
  }
}

function row(m: Measurement): string {
  const [c, s] = m.proxies;
  return [
    m.label.padEnd(7),
    `${Math.round(m.maxRps)}`.padStart(6),
    c!.cpuPer1kAtMax.toFixed(3),
    s!.cpuPer1kAtMax.toFixed(3),
    c!.cpuPer1kAtRate.toFixed(3),
    s!.cpuPer1kAtRate.toFixed(3),
    m.fixed.p50.toFixed(2).padStart(6),
    m.fixed.p99.toFixed(2).padStart(7),
    (c!.peakRssBytes / 2 ** 20).toFixed(0).padStart(4),
    (s!.peakRssBytes / 2 ** 20).toFixed(0).padStart(4),
    m.othersAtMax.toFixed(2),
    m.othersAtRate.toFixed(2),
  ].join("  ");
}

const HEADER = "build    req/s  cpu@max(c s)  cpu@1k(c s)   p50     p99  rss(c s)  noise(max 1k)";

const dir = mkdtempSync(join(tmpdir(), "skein-bench-proxy-ab-"));
let app: Started | undefined;
const results: Measurement[] = [];
try {
  const certs = await writeCerts(dir);
  app = await startProcess("bench app", { args: ["--import", "tsx", join(import.meta.dirname, "proxy", "upstream-app.ts")], cwd: join(import.meta.dirname, ".."), ready: /listening on 127\.0\.0\.1:(\d+)/ });
  const appPort = Number(app.ready[1]);
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first, so neither always follows the other's tail.
    const order: [string, Build][] = r % 2 === 0 ? [["before", before], ["after", after]] : [["after", after], ["before", before]];
    for (const [label, build] of order) {
      const m = await measureBuild(label, build, dir, certs, app, appPort);
      results.push(m);
      log(row(m));
    }
  }
} finally {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${PLAN.connections} connections, ${PLAN.seconds} s per phase, ${PLAN.rate} req/s fixed rate; CPU in CPU s per 1k requests per sidecar`);
console.log(HEADER);
for (const m of results) console.log(row(m));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const label of ["before", "after"]) {
  const ms = results.filter((m) => m.label === label);
  console.log(
    `median ${label}: ${Math.round(median(ms.map((m) => m.maxRps)))} req/s, CPU at max ${median(ms.map((m) => m.proxies[0]!.cpuPer1kAtMax)).toFixed(3)} / ${median(ms.map((m) => m.proxies[1]!.cpuPer1kAtMax)).toFixed(3)}, at 1k ${median(ms.map((m) => m.proxies[0]!.cpuPer1kAtRate)).toFixed(3)} / ${median(ms.map((m) => m.proxies[1]!.cpuPer1kAtRate)).toFixed(3)}, p50 ${median(ms.map((m) => m.fixed.p50)).toFixed(2)} p99 ${median(ms.map((m) => m.fixed.p99)).toFixed(2)} ms`,
  );
}
