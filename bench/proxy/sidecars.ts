// Skein sidecars for the proxy bench, each its own `skein proxy` process so its CPU and
// memory are its own: certificates from the mesh CA module, the Istio YAML each one
// reads, and the command line `apps/mesh/src/cli/proxy.ts` documents.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRootCa, issueLeaf, spiffeId } from "@skein/shared";
import { SIDECAR_NODE_OPTIONS } from "../../apps/mesh/src/proxy/sidecar-node-options.ts";
import { startProcess, type Started } from "./processes.ts";

const REPO = join(import.meta.dirname, "..", "..");
/**
 * What `skein proxy` runs (scripts/build-sidecar.mjs; `npm run bench` builds it first),
 * started directly rather than through bin/skein.mjs, which falls back to the TypeScript
 * sources whenever any source is newer than the bundle: a neighbour saving a file in the
 * middle of a run must not switch the measured build.
 */
export const SIDECAR_BUNDLE = join(REPO, "apps", "mesh", "dist", "cli", "sidecar.mjs");
const TRUST_DOMAIN = "cluster.local";

/** The service the load is addressed to; the outbound listener routes by this Host. */
export const SERVICE_HOST = "bench-app.default.svc.cluster.local";
export const SERVICE_PORT = 8080;
export const CLIENT_SA = "bench-client";
export const SERVER_SA = "bench-app";

export interface PemFiles {
  cert: string;
  key: string;
}

export interface BenchCerts {
  root: string;
  client: PemFiles;
  server: PemFiles;
}

/**
 * A root CA and two workload certificates as the mesh issues them (ECDSA P-256, SPIFFE
 * URI SAN, no DNS SAN), written as PEM files into `dir`. nginx uses the same files.
 */
export async function writeCerts(dir: string): Promise<BenchCerts> {
  const clock = { now: () => Date.now() };
  const root = await createRootCa({ trustDomain: TRUST_DOMAIN, ttlMs: 24 * 3600_000, clock });
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const leaf = async (sa: string): Promise<PemFiles> => {
    const issued = await issueLeaf(root, { spiffeId: spiffeId(TRUST_DOMAIN, "default", sa), ttlMs: 3600_000, clock });
    return { cert: write(`${sa}.crt`, issued.certPem), key: write(`${sa}.key`, issued.keyPem) };
  };
  return { root: write("root.crt", root.certPem), client: await leaf(CLIENT_SA), server: await leaf(SERVER_SA) };
}

/**
 * The ServiceEntry that makes bench-app a mesh service with one endpoint. With a service
 * account the endpoint is a peer sidecar's inbound port, and auto mTLS applies.
 */
export function serviceEntryYaml(endpointPort: number, serviceAccount?: string): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bench-app, namespace: default}
spec:
  hosts: [${SERVICE_HOST}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${SERVICE_PORT}, name: http, protocol: HTTP}]
  endpoints:
  - address: 127.0.0.1
    ports: {http: ${endpointPort}}
    labels: {app: bench-app, version: v1}
${serviceAccount ? `    serviceAccount: ${serviceAccount}\n` : ""}`;
}

/** STRICT, so the server sidecar refuses plaintext: the two-hop numbers are mTLS for sure. */
export const STRICT_MTLS_YAML = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: default}
spec:
  mtls: {mode: STRICT}
`;

export interface SidecarSpec {
  name: string;
  dir: string;
  yaml: string;
  serviceAccount: string;
  labels: string;
  certs?: BenchCerts;
  pem?: PemFiles;
  /** Inbound listener in front of this app port. */
  appPort?: number;
  /** Write a V8 CPU profile into this directory when the process exits. */
  cpuProfileDir?: string;
  /** Run this sidecar bundle instead of the built one (bench/proxy-ab.ts compares two builds). */
  bundle?: string;
  /** Node and V8 options for this process instead of the ones every sidecar starts with (SIDECAR_NODE_OPTIONS). */
  nodeFlags?: readonly string[];
}

export interface RunningSidecar {
  process: Started;
  outboundPort: number;
  inboundPort?: number;
}

export async function startSidecar(s: SidecarSpec): Promise<RunningSidecar> {
  const config = join(s.dir, `${s.name}.yaml`);
  writeFileSync(config, s.yaml);
  const bundle = s.bundle ?? SIDECAR_BUNDLE;
  if (!existsSync(bundle)) throw new Error(`no sidecar bundle at ${bundle}: run node scripts/build-sidecar.mjs`);
  const args = [
    ...(s.nodeFlags ?? SIDECAR_NODE_OPTIONS),
    ...(s.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${s.cpuProfileDir}`, `--cpu-prof-name=${s.name}.cpuprofile`] : []),
    join(import.meta.dirname, "run-bundle.mjs"),
    bundle,
    "proxy",
    "--config", config,
    "--outbound-port", "0",
    "--workload", s.name,
    "--namespace", "default",
    "--service-account", s.serviceAccount,
    "--labels", s.labels,
    "--access-log", "off",
    ...(s.appPort !== undefined ? ["--inbound-port", "0", "--app-port", String(s.appPort)] : []),
    ...(s.certs && s.pem ? ["--cert", s.pem.cert, "--key", s.pem.key, "--root-cert", s.certs.root] : []),
  ];
  const proc = await startProcess(s.name, {
    args,
    cwd: REPO,
    ready: /outbound 127\.0\.0\.1:(\d+)(?:, inbound 127\.0\.0\.1:(\d+))?.*\n/,
  });
  return { process: proc, outboundPort: Number(proc.ready[1]), ...(proc.ready[2] ? { inboundPort: Number(proc.ready[2]) } : {}) };
}
