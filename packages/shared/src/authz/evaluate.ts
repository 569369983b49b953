import type { CompiledAuthorization, CompiledPolicy } from "../compiler/snapshot.ts";
import type { AuthorizationRule } from "../model/authorization-rule.ts";
import type { AuthorizationCondition } from "../model/authorization-condition.ts";
import { ipInBlock, matchesAny, matchesNone, matchesPath, matchesValue } from "./match-value.ts";

/** What the inbound sidecar knows about a request when it authorizes it. */
export interface AuthzRequest {
  /** Peer identity in Istio's principal form `cluster.local/ns/NS/sa/SA`; undefined for plaintext. */
  principal?: string;
  namespace?: string;
  sourceIp: string;
  /** Original client address (X-Forwarded-For), defaults to sourceIp. */
  remoteIp?: string;
  destinationIp?: string;
  port: number;
  sni?: string;
  /** Absent for TCP connections. */
  http?: {
    host: string;
    method: string;
    path: string;
    headers: Readonly<Record<string, string | string[] | undefined>>;
  };
}

export interface AuthzDecision {
  allowed: boolean;
  /** The policy that decided, `namespace/name`, or why none did. */
  reason: string;
  /** Dry-run policies that would have changed the outcome, for logs. */
  shadow: { policy: string; wouldAllow: boolean }[];
}

/**
 * Istio's evaluation order: CUSTOM, then DENY, then ALLOW. Any matching DENY denies; if
 * ALLOW policies apply, one must match; with none, the request is allowed. Dry-run
 * policies are evaluated but only reported. Skein has no external authorizer, so a
 * matching CUSTOM policy denies (fail closed, as Envoy's ext_authz does when its
 * provider is unreachable).
 */
export function evaluateAuthorization(authz: CompiledAuthorization, req: AuthzRequest): AuthzDecision {
  const shadow: AuthzDecision["shadow"] = [];
  for (const p of authz.custom) {
    if (!policyMatches(p, req, "deny")) continue;
    if (p.dryRun) shadow.push({ policy: p.name, wouldAllow: false });
    else return { allowed: false, reason: `CUSTOM ${p.name}: provider ${p.provider ?? "?"} is not reachable from Skein`, shadow };
  }
  for (const p of authz.deny) {
    if (!policyMatches(p, req, "deny")) continue;
    if (p.dryRun) shadow.push({ policy: p.name, wouldAllow: false });
    else return { allowed: false, reason: `DENY ${p.name}`, shadow };
  }
  const enforced = authz.allow.filter((p) => !p.dryRun);
  for (const p of authz.allow) {
    if (p.dryRun && !policyMatches(p, req, "allow")) shadow.push({ policy: p.name, wouldAllow: false });
  }
  if (enforced.length === 0) return { allowed: true, reason: "no ALLOW policy applies", shadow };
  for (const p of enforced) if (policyMatches(p, req, "allow")) return { allowed: true, reason: `ALLOW ${p.name}`, shadow };
  return { allowed: false, reason: "no ALLOW policy matched", shadow };
}

/**
 * `mode` decides HTTP-only fields on a TCP connection: Istio drops such rules from ALLOW
 * policies (they never match) and keeps DENY rules without the HTTP fields (more denial).
 */
function policyMatches(p: CompiledPolicy, req: AuthzRequest, mode: "allow" | "deny"): boolean {
  for (const rule of p.rules) if (ruleMatches(rule, req, mode)) return true;
  return false;
}

export function ruleMatches(rule: AuthorizationRule, req: AuthzRequest, mode: "allow" | "deny"): boolean {
  if (rule.from && !rule.from.some((f) => sourceMatches(f.source ?? {}, req))) return false;
  if (rule.to && !rule.to.some((t) => operationMatches(t.operation ?? {}, req, mode))) return false;
  if (rule.when && !rule.when.every((c) => conditionMatches(c, req, mode))) return false;
  return true;
}

type Source = NonNullable<NonNullable<AuthorizationRule["from"]>[number]["source"]>;
type Operation = NonNullable<NonNullable<AuthorizationRule["to"]>[number]["operation"]>;

function serviceAccountOf(req: AuthzRequest): string | undefined {
  const m = req.principal ? /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(req.principal) : null;
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function sourceMatches(s: Source, req: AuthzRequest): boolean {
  const ns = req.namespace;
  const remote = req.remoteIp ?? req.sourceIp;
  const inBlock = (b: string, ip: string | undefined) => ipInBlock(b, ip);
  return (
    matchesAny(s.principals, req.principal) &&
    matchesNone(s.notPrincipals, req.principal) &&
    // JWT principals need RequestAuthentication, which Skein does not enforce: never present.
    matchesAny(s.requestPrincipals, undefined) &&
    matchesNone(s.notRequestPrincipals, undefined) &&
    matchesAny(s.namespaces, ns) &&
    matchesNone(s.notNamespaces, ns) &&
    matchesAny(s.serviceAccounts, serviceAccountOf(req)) &&
    matchesNone(s.notServiceAccounts, serviceAccountOf(req)) &&
    matchesAny(s.ipBlocks, req.sourceIp, inBlock) &&
    matchesNone(s.notIpBlocks, req.sourceIp, inBlock) &&
    matchesAny(s.remoteIpBlocks, remote, inBlock) &&
    matchesNone(s.notRemoteIpBlocks, remote, inBlock)
  );
}

function operationMatches(o: Operation, req: AuthzRequest, mode: "allow" | "deny"): boolean {
  const port = String(req.port);
  if (!(matchesAny(o.ports, port) && matchesNone(o.notPorts, port))) return false;
  const h = req.http;
  const httpFields = o.hosts ?? o.notHosts ?? o.methods ?? o.notMethods ?? o.paths ?? o.notPaths;
  if (!h) return httpFields === undefined || mode === "deny";
  const path = h.path.split("?")[0];
  const host = (a: string, v: string | undefined) => matchesValue(a, v, true);
  return (
    matchesAny(o.hosts, h.host, host) &&
    matchesNone(o.notHosts, h.host, host) &&
    matchesAny(o.methods, h.method) &&
    matchesNone(o.notMethods, h.method) &&
    matchesAny(o.paths, path, matchesPath) &&
    matchesNone(o.notPaths, path, matchesPath)
  );
}

function conditionMatches(c: AuthorizationCondition, req: AuthzRequest, mode: "allow" | "deny"): boolean {
  const key = c.key;
  let value: string | undefined;
  let ip = false;
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) {
    if (!req.http) return mode === "deny";
    const raw = req.http.headers[header[1]!.toLowerCase()];
    value = Array.isArray(raw) ? raw.join(",") : raw;
  } else if (key === "source.ip") [value, ip] = [req.sourceIp, true];
  else if (key === "remote.ip") [value, ip] = [req.remoteIp ?? req.sourceIp, true];
  else if (key === "destination.ip") [value, ip] = [req.destinationIp, true];
  else if (key === "source.namespace") value = req.namespace;
  else if (key === "source.principal") value = req.principal;
  else if (key === "destination.port") value = String(req.port);
  else if (key === "connection.sni") value = req.sni;
  else value = undefined; // request.auth.* and experimental keys: no JWT support, never present.
  const match = ip ? (b: string, v: string | undefined) => ipInBlock(b, v) : matchesValue;
  return matchesAny(c.values, value, match) && matchesNone(c.notValues, value, match);
}
