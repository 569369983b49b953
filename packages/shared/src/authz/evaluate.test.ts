import { describe, expect, it } from "vitest";
import type { CompiledAuthorization, CompiledPolicy } from "../compiler/snapshot.ts";
import type { AuthorizationRule } from "../model/authorization-rule.ts";
import { evaluateAuthorization, type AuthzRequest } from "./evaluate.ts";

const policy = (name: string, rules: AuthorizationRule[], dryRun = false): CompiledPolicy => ({ name, dryRun, rules });
const authz = (over: Partial<CompiledAuthorization>): CompiledAuthorization => ({ custom: [], deny: [], allow: [], audit: [], ...over });

const fromProductpage: AuthzRequest = {
  principal: "cluster.local/ns/default/sa/productpage",
  namespace: "default",
  sourceIp: "127.0.0.1",
  port: 9080,
  http: { host: "reviews:9080", method: "GET", path: "/reviews/1?x=1", headers: { "x-token": "abc" } },
};
const plaintext: AuthzRequest = { sourceIp: "127.0.0.1", port: 9080, http: { host: "reviews", method: "GET", path: "/", headers: {} } };
const tcp: AuthzRequest = { principal: "cluster.local/ns/default/sa/productpage", namespace: "default", sourceIp: "127.0.0.1", port: 9000 };

describe("evaluateAuthorization", () => {
  it.each([
    { name: "allows when no policy applies", authz: authz({}), req: fromProductpage, allowed: true },
    { name: "denies everything under an ALLOW policy without rules", authz: authz({ allow: [policy("default/allow-nothing", [])] }), req: fromProductpage, allowed: false },
    { name: "allows what an ALLOW principal rule matches", authz: authz({ allow: [policy("a", [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/productpage"] } }] }])] }), req: fromProductpage, allowed: true },
    { name: "denies a plaintext peer under a principal rule", authz: authz({ allow: [policy("a", [{ from: [{ source: { principals: ["*"] } }] }])] }), req: plaintext, allowed: false },
    { name: "matches namespaces", authz: authz({ allow: [policy("a", [{ from: [{ source: { namespaces: ["default"] } }] }])] }), req: fromProductpage, allowed: true },
    { name: "matches service accounts as ns/name", authz: authz({ allow: [policy("a", [{ from: [{ source: { serviceAccounts: ["default/productpage"] } }] }])] }), req: fromProductpage, allowed: true },
    { name: "matches methods and path prefixes, ignoring the query", authz: authz({ allow: [policy("a", [{ to: [{ operation: { methods: ["GET"], paths: ["/reviews/*"] } }] }])] }), req: fromProductpage, allowed: true },
    { name: "refuses a method not listed", authz: authz({ allow: [policy("a", [{ to: [{ operation: { methods: ["POST"] } }] }])] }), req: fromProductpage, allowed: false },
    { name: "DENY wins over ALLOW", authz: authz({ allow: [policy("a", [{}])], deny: [policy("d", [{ to: [{ operation: { notPaths: ["/healthz"] } }] }])] }), req: fromProductpage, allowed: false },
    { name: "a DENY that does not match lets ALLOW decide", authz: authz({ allow: [policy("a", [{}])], deny: [policy("d", [{ to: [{ operation: { methods: ["DELETE"] } }] }])] }), req: fromProductpage, allowed: true },
    { name: "when on a header", authz: authz({ allow: [policy("a", [{ when: [{ key: "request.headers[X-Token]", values: ["abc"] }] }])] }), req: fromProductpage, allowed: true },
    { name: "when with notValues", authz: authz({ allow: [policy("a", [{ when: [{ key: "source.namespace", notValues: ["default"] }] }])] }), req: fromProductpage, allowed: false },
    { name: "when on source.ip with a CIDR", authz: authz({ allow: [policy("a", [{ when: [{ key: "source.ip", values: ["127.0.0.0/8"] }] }])] }), req: fromProductpage, allowed: true },
    { name: "ipBlocks", authz: authz({ deny: [policy("d", [{ from: [{ source: { ipBlocks: ["127.0.0.1"] } }] }])] }), req: fromProductpage, allowed: false },
    { name: "an ALLOW rule with HTTP fields never matches TCP", authz: authz({ allow: [policy("a", [{ to: [{ operation: { methods: ["GET"] } }] }])] }), req: tcp, allowed: false },
    { name: "a DENY rule with HTTP fields denies TCP (more denial, as Istio)", authz: authz({ deny: [policy("d", [{ to: [{ operation: { methods: ["GET"] } }] }])] }), req: tcp, allowed: false },
    { name: "ports on TCP", authz: authz({ allow: [policy("a", [{ to: [{ operation: { ports: ["9000"] } }] }])] }), req: tcp, allowed: true },
    { name: "a matching CUSTOM policy denies (no external authorizer)", authz: authz({ custom: [{ ...policy("c", [{}]), provider: "ext" }] }), req: fromProductpage, allowed: false },
    { name: "a JWT requirement is unmet without RequestAuthentication", authz: authz({ allow: [policy("a", [{ from: [{ source: { requestPrincipals: ["*"] } }] }])] }), req: fromProductpage, allowed: false },
  ])("$name", ({ authz: a, req, allowed }) => {
    expect(evaluateAuthorization(a, req).allowed).toBe(allowed);
  });

  it("reports dry-run policies without enforcing them", () => {
    const d = evaluateAuthorization(authz({ deny: [policy("default/shadow", [{}], true)] }), fromProductpage);
    expect(d).toEqual({ allowed: true, reason: "no ALLOW policy applies", shadow: [{ policy: "default/shadow", wouldAllow: false }] });
  });

  it("names the deciding policy", () => {
    expect(evaluateAuthorization(authz({ deny: [policy("default/deny-all", [{}])] }), fromProductpage).reason).toBe("DENY default/deny-all");
  });
});
