/**
 * Reads what an Istio networking file says about the bookinfo services and turns it into
 * checks a test can run against a sidecar: "a request to reviews with end-user: jason is
 * answered by reviews-v2", "reviews splits 80/20 between v1 and v2", "ratings aborts with
 * 500". It is a second, deliberately small reading of Istio's semantics (first match
 * wins, weight / total, faults at 100%, subsets by labels), independent of the compiler
 * and the sidecar it checks; anything it does not understand is an error, so a new file
 * that needs more is noticed instead of passing with fewer checks.
 */
import { parseDurationMs, type DestinationRuleSpec, type Resource, type ServiceEntrySpec, type VirtualServiceSpec } from "@skein/shared";

type HTTPRoute = NonNullable<VirtualServiceSpec["http"]>[number];
type Match = NonNullable<HTTPRoute["match"]>[number];
type StringMatch = { exact?: string | undefined; prefix?: string | undefined; regex?: string | undefined };

/** The bookinfo services of the test world, each version an app answering with its name. */
export const BOOKINFO: Readonly<Record<string, readonly string[]>> = {
  productpage: ["v1"],
  reviews: ["v1", "v2", "v3"],
  ratings: ["v1", "v2", "v2-mysql", "v2-mysql-vm"],
  details: ["v1", "v2"],
};
export const BOOKINFO_PORT = 9080;
const NAMESPACE = "default";

export const appName = (service: string, version: string) => `${service}-${version}`;
const fqdn = (service: string) => `${service}.${NAMESPACE}.svc.cluster.local`;

export type Outcome =
  /** Answered by these apps in these shares (summing to 1). */
  | { kind: "apps"; shares: Record<string, number> }
  /** The service's default route: any of its versions, each seen at least once. */
  | { kind: "anyApp"; apps: string[] }
  | { kind: "abort"; status: number }
  /** A destination no app backs here (an external host): 503 UH at this cluster. */
  | { kind: "unbacked"; cluster: string };

export type Check =
  | { kind: "route"; authority: string; path: string; headers: Record<string, string>; delayMs?: number; outcome: Outcome }
  | { kind: "cluster"; cluster: string; lb?: string; tls?: string }
  | { kind: "unreachable"; authority: string; route: string }
  | { kind: "mtls" };

export interface Plan {
  /** Resources to add for subsets the file uses without defining (from destination-rule-all.yaml). */
  extra: Resource[];
  /** VirtualServices the plan adds to exercise a DestinationRule-only file. */
  generated: Resource[];
  /** Some DestinationRule asks for ISTIO_MUTUAL: the apps need sidecars in front. */
  mtls: boolean;
  checks: Check[];
}

export function describeCheck(c: Check): string {
  switch (c.kind) {
    case "route": {
      const headers = Object.entries(c.headers).map(([k, v]) => ` ${k}=${v}`).join("");
      const o = c.outcome;
      const outcome =
        o.kind === "apps"
          ? Object.entries(o.shares).map(([a, s]) => (s === 1 ? a : `${a} ${Math.round(s * 1000) / 10}%`)).join(", ")
          : o.kind === "anyApp"
            ? `any of ${o.apps.join(", ")}`
            : o.kind === "abort"
              ? `abort ${o.status}`
              : `503 UH at ${o.cluster}`;
      return `${c.authority} GET ${c.path}${headers} -> ${c.delayMs !== undefined ? `delay ${c.delayMs}ms, ` : ""}${outcome}`;
    }
    case "cluster":
      return `cluster ${c.cluster}:${c.lb ? ` lb ${c.lb}` : ""}${c.tls ? ` tls ${c.tls}` : ""}`;
    case "unreachable":
      return `${c.authority} ${c.route} unreachable (an earlier route takes all its requests)`;
    case "mtls":
      return "every hop to an app is mutual TLS";
  }
}

class Unsupported extends Error {}

/**
 * The bookinfo service a host names, undefined for other hosts: a short name counts only
 * in the bookinfo namespace, since Istio resolves it relative to the resource's namespace.
 */
function bookinfoService(host: string, namespace = NAMESPACE): string | undefined {
  const name = host.split(".")[0]!;
  if (!(name in BOOKINFO)) return undefined;
  return (host === name && namespace === NAMESPACE) || host === `${name}.${NAMESPACE}` || host === fqdn(name) ? name : undefined;
}

interface VirtualHost {
  authority: string;
  port: number;
}

/** The virtual hosts a VirtualService host names: bookinfo services on 9080, or a ServiceEntry's HTTP ports. */
function virtualHostsOf(host: string, namespace: string, entries: readonly Resource<ServiceEntrySpec>[]): VirtualHost[] {
  if (host === "*") return Object.keys(BOOKINFO).map((s) => ({ authority: `${s}:${BOOKINFO_PORT}`, port: BOOKINFO_PORT }));
  const service = bookinfoService(host, namespace);
  if (service) return [{ authority: `${service}:${BOOKINFO_PORT}`, port: BOOKINFO_PORT }];
  const entry = entries.find((e) => e.spec.hosts.includes(host));
  if (!entry) throw new Unsupported(`host ${host} is neither a bookinfo service nor in a ServiceEntry of the file`);
  return (entry.spec.ports ?? []).filter((p) => /^(http|http2|grpc)$/i.test(p.protocol ?? p.name.split("-")[0]!)).map((p) => ({ authority: `${host}:${p.number}`, port: p.number }));
}

function holds(m: StringMatch | undefined, value: string | undefined): boolean {
  if (!m) return true;
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return new RegExp(`^(?:${m.regex})$`).test(value);
  return true;
}

interface Probe {
  path: string;
  headers: Record<string, string>;
}

function entryHolds(m: Match, probe: Probe, port: number): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  if (!holds(m.uri, probe.path)) return false;
  return Object.entries(m.headers ?? {}).every(([k, sm]) => holds(sm, probe.headers[k.toLowerCase()]));
}

function routeTakes(r: HTTPRoute, probe: Probe, port: number): boolean {
  const entries = r.match ?? [];
  return entries.length === 0 || entries.some((m) => entryHolds(m, probe, port));
}

/** A request that satisfies one match entry, from its exact values and prefixes. */
function probeFor(m: Match | undefined): Probe {
  const probe: Probe = { path: "/", headers: {} };
  if (!m) return probe;
  const extra = Object.keys(m).filter((k) => !["uri", "headers", "port", "name"].includes(k));
  if (extra.length > 0) throw new Unsupported(`match fields ${extra.join(", ")}`);
  const value = (sm: StringMatch, what: string): string => {
    if (sm.exact !== undefined) return sm.exact;
    if (sm.prefix !== undefined) return sm.prefix;
    throw new Unsupported(`${what} match other than exact or prefix`);
  };
  if (m.uri) probe.path = m.uri.prefix !== undefined ? `${m.uri.prefix.replace(/\/$/, "")}/probe` : value(m.uri, "uri");
  for (const [k, sm] of Object.entries(m.headers ?? {})) probe.headers[k.toLowerCase()] = value(sm, `header ${k}`);
  return probe;
}

const percentOf = (p: { value?: number | undefined } | undefined, legacy?: number) => p?.value ?? legacy ?? 100;

/** Labels of `subset` of `service`, from the file's DestinationRules or else the extra ones. */
type SubsetLookup = (service: string, subset: string) => Record<string, string>;

function outcomeOf(r: HTTPRoute, vsNamespace: string, lookup: SubsetLookup, entries: readonly Resource<ServiceEntrySpec>[]): Outcome {
  const abort = r.fault?.abort;
  if (abort && percentOf(abort.percentage) > 0) {
    if (percentOf(abort.percentage) < 100 || abort.httpStatus === undefined) throw new Unsupported("an abort below 100% or by gRPC status");
    return { kind: "abort", status: abort.httpStatus };
  }
  const destinations = r.route ?? [];
  if (destinations.length === 0) throw new Unsupported("a route without destinations");
  const total = destinations.reduce((s, d) => s + (d.weight ?? (destinations.length === 1 ? 100 : 0)), 0);
  const shares: Record<string, number> = {};
  for (const d of destinations) {
    const extra = Object.keys(d).filter((k) => !["destination", "weight"].includes(k));
    if (extra.length > 0) throw new Unsupported(`destination fields ${extra.join(", ")}`);
    const host = d.destination!.host;
    const service = bookinfoService(host, vsNamespace);
    const weight = (d.weight ?? (destinations.length === 1 ? 100 : 0)) / total;
    if (!service) {
      if (destinations.length > 1) throw new Unsupported("a split that includes a host no app backs");
      const entry = entries.find((e) => e.spec.hosts.includes(host));
      if (!entry) throw new Unsupported(`destination ${host} is not in the world`);
      const port = d.destination!.port?.number ?? entry.spec.ports?.[0]?.number;
      return { kind: "unbacked", cluster: `outbound|${port}|${d.destination!.subset ?? ""}|${host}` };
    }
    if (weight === 0) continue;
    if (d.destination!.subset === undefined) throw new Unsupported("a weighted destination without subset");
    const version = lookup(service, d.destination!.subset).version;
    if (!version || !BOOKINFO[service]!.includes(version)) throw new Unsupported(`subset ${d.destination!.subset} of ${service} selects no app of the world`);
    const app = appName(service, version);
    shares[app] = (shares[app] ?? 0) + weight;
  }
  return { kind: "apps", shares };
}

function routeChecks(vs: Resource<VirtualServiceSpec>, lookup: SubsetLookup, entries: readonly Resource<ServiceEntrySpec>[]): Check[] {
  const meshBound = (vs.spec.gateways ?? []).length === 0 || vs.spec.gateways!.includes("mesh");
  if ((vs.spec.tcp ?? []).length > 0 || (vs.spec.tls ?? []).length > 0) throw new Unsupported("tcp or tls routes");
  const checks: Check[] = [];
  for (const host of vs.spec.hosts ?? []) {
    for (const vh of virtualHostsOf(host, vs.metadata.namespace, entries)) {
      const routes = vs.spec.http ?? [];
      routes.forEach((r, i) => {
        const extra = Object.keys(r).filter((k) => !["name", "match", "route", "fault"].includes(k));
        if (extra.length > 0) throw new Unsupported(`route fields ${extra.join(", ")}`);
        const entriesHere = (r.match ?? []).filter((m) => m.port === undefined || m.port === vh.port);
        if ((r.match ?? []).length > 0 && entriesHere.length === 0) return;
        const candidates = entriesHere.length > 0 ? entriesHere.map(probeFor) : [probeFor(undefined)];
        const probe = candidates.find((p) => !routes.slice(0, i).some((earlier) => routeTakes(earlier, p, vh.port)));
        if (!probe) {
          if (meshBound) checks.push({ kind: "unreachable", authority: vh.authority, route: r.name ?? `route #${i}` });
          return;
        }
        if (!meshBound) {
          // A VirtualService bound only to gateways is not for sidecars: the default route stays.
          const service = bookinfoService(vh.authority.split(":")[0]!);
          if (service) checks.push({ kind: "route", authority: vh.authority, ...probe, outcome: { kind: "anyApp", apps: BOOKINFO[service]!.map((v) => appName(service, v)) } });
          return;
        }
        const delay = r.fault?.delay;
        let delayMs: number | undefined;
        if (delay && percentOf(delay.percentage, delay.percent) > 0) {
          if (percentOf(delay.percentage, delay.percent) < 100 || !delay.fixedDelay) throw new Unsupported("a delay below 100% or not fixed");
          delayMs = parseDurationMs(delay.fixedDelay);
        }
        const outcome = outcomeOf(r, vs.metadata.namespace, lookup, entries);
        if (delayMs !== undefined && outcome.kind === "apps" && Object.keys(outcome.shares).length > 1) throw new Unsupported("a delay on a split");
        checks.push({ kind: "route", authority: vh.authority, ...probe, ...(delayMs !== undefined ? { delayMs } : {}), outcome });
      });
    }
  }
  return checks;
}

type Policy = NonNullable<DestinationRuleSpec["trafficPolicy"]>;

/** The load balancer and TLS mode a DestinationRule sets for each port's cluster. */
function clusterChecks(dr: Resource<DestinationRuleSpec>, entries: readonly Resource<ServiceEntrySpec>[]): Check[] {
  const p: Policy | undefined = dr.spec.trafficPolicy;
  if (!p) return [];
  const service = bookinfoService(dr.spec.host, dr.metadata.namespace);
  const host = service ? fqdn(service) : dr.spec.host;
  const ports = service ? [BOOKINFO_PORT] : (entries.find((e) => e.spec.hosts.includes(dr.spec.host))?.spec.ports ?? []).map((x) => x.number);
  const checks: Check[] = [];
  for (const port of ports) {
    const level = p.portLevelSettings?.find((s) => s.port?.number === port);
    const lb = level?.loadBalancer?.simple ?? p.loadBalancer?.simple;
    const tls = level?.tls?.mode ?? p.tls?.mode;
    if (lb || tls) checks.push({ kind: "cluster", cluster: `outbound|${port}||${host}`, ...(lb ? { lb } : {}), ...(tls ? { tls } : {}) });
  }
  return checks;
}

/**
 * A DestinationRule alone routes nothing: the plan adds a VirtualService per host that
 * sends `x-probe-subset: <subset>` to each subset and everything else to the service.
 */
function subsetProbes(dr: Resource<DestinationRuleSpec>): { vs: Resource; checks: Check[] } | undefined {
  const service = bookinfoService(dr.spec.host, dr.metadata.namespace);
  if (!service) return undefined;
  const subsets = dr.spec.subsets ?? [];
  const http = [
    ...subsets.map((s) => ({ match: [{ headers: { "x-probe-subset": { exact: s.name } } }], route: [{ destination: { host: service, subset: s.name } }] })),
    { route: [{ destination: { host: service } }] },
  ];
  const vs = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: `probe-${service}`, namespace: NAMESPACE }, spec: { hosts: [service], http } } as unknown as Resource;
  const authority = `${service}:${BOOKINFO_PORT}`;
  const checks: Check[] = subsets.map((s) => {
    const version = s.labels?.version;
    if (!version || !BOOKINFO[service]!.includes(version)) throw new Unsupported(`subset ${s.name} of ${service} selects no app of the world`);
    return { kind: "route", authority, path: "/", headers: { "x-probe-subset": s.name }, outcome: { kind: "apps", shares: { [appName(service, version)]: 1 } } };
  });
  checks.push({ kind: "route", authority, path: "/", headers: {}, outcome: { kind: "anyApp", apps: BOOKINFO[service]!.map((v) => appName(service, v)) } });
  return { vs, checks };
}

/**
 * The plan for one file. `subsetRules` (destination-rule-all.yaml) supplies the subsets a
 * file routes to without defining them, as Istio's docs apply it before these files.
 */
export function planFor(resources: readonly Resource[], subsetRules: readonly Resource[]): Plan {
  const of = <S>(kind: string, list: readonly Resource[]) => list.filter((r) => r.kind === kind) as Resource<S>[];
  const known = ["VirtualService", "DestinationRule", "ServiceEntry", "Gateway"];
  const strange = resources.filter((r) => !known.includes(r.kind));
  if (strange.length > 0) throw new Unsupported(`kinds ${strange.map((r) => r.kind).join(", ")}`);
  const vss = of<VirtualServiceSpec>("VirtualService", resources);
  const drs = of<DestinationRuleSpec>("DestinationRule", resources);
  const entries = of<ServiceEntrySpec>("ServiceEntry", resources);
  const serviceOf = (d: Resource<DestinationRuleSpec>) => bookinfoService(d.spec.host, d.metadata.namespace);
  const covered = new Set(drs.map((d) => serviceOf(d) ?? d.spec.host));
  const extra = of<DestinationRuleSpec>("DestinationRule", subsetRules).filter((d) => !covered.has(serviceOf(d) ?? d.spec.host));
  const lookup: SubsetLookup = (service, subset) => {
    const dr = [...drs, ...extra].find((d) => serviceOf(d) === service);
    const s = dr?.spec.subsets?.find((x) => x.name === subset);
    if (!s) throw new Unsupported(`subset ${subset} of ${service} is defined nowhere`);
    return s.labels ?? {};
  };
  const checks: Check[] = [];
  const generated: Resource[] = [];
  let usesExtra = false;
  const trackingLookup: SubsetLookup = (service, subset) => {
    if (!drs.some((d) => serviceOf(d) === service)) usesExtra = true;
    return lookup(service, subset);
  };
  for (const vs of vss) checks.push(...routeChecks(vs, trackingLookup, entries));
  for (const dr of drs) {
    checks.push(...clusterChecks(dr, entries));
    if (vss.length === 0) {
      const probes = subsetProbes(dr);
      if (probes) {
        generated.push(probes.vs);
        checks.push(...probes.checks);
      }
    }
  }
  const mtls = drs.some((d) => d.spec.trafficPolicy?.tls?.mode === "ISTIO_MUTUAL");
  if (mtls) checks.push({ kind: "mtls" });
  return { extra: usesExtra ? extra : [], generated, mtls, checks };
}
