import { describe, expect, it } from "vitest";
import { validateSources } from "../validate/validate.ts";
import { Code } from "./codes.ts";

function policyErrors(spec: string, annotations = "") {
  const meta = annotations ? `\n  annotations: ${annotations}` : "";
  const text = `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: ap${meta}\nspec:\n${spec.replace(/^/gm, "  ")}\n`;
  return validateSources([{ file: "ap.yaml", text }]).files[0]!.diagnostics.filter((d) => d.severity === "error");
}

const when = (cond: string) => `rules:\n- when:\n  - ${cond}`;
const from = (source: string) => `rules:\n- from:\n  - source: ${source}`;
const to = (operation: string) => `rules:\n- to:\n  - operation: ${operation}`;

describe("AuthorizationPolicy", () => {
  it.each([
    ["an ALLOW policy with no rules (allow nothing)", "selector:\n  matchLabels: {app: httpbin}"],
    ["a DENY policy with an empty rule (deny everything)", "action: DENY\nrules:\n- {}"],
    ["a CUSTOM policy with a provider and operation rules", "action: CUSTOM\nprovider: {name: ext-authz}\nrules:\n- to:\n  - operation: {paths: [/admin/*]}"],
    ["an AUDIT policy", "action: AUDIT\nrules:\n- {}"],
    ["sources with wildcards, CIDRs and service accounts in separate entries", from("{principals: ['cluster.local/ns/default/sa/*'], ipBlocks: [10.0.0.0/8, '::1']}\n  - source: {serviceAccounts: [ns/sa, sa]}")],
    ["operations with ports, methods and path templates", to("{ports: ['80', '0'], methods: [GET], paths: ['/{*}/x', '/a/{**}'], notHosts: ['*.internal']}")],
    ["conditions on headers, IPs, ports, claims and experimental filters", `rules:\n- when:\n  - {key: 'request.headers[x-token]', values: [abc]}\n  - {key: source.ip, notValues: [10.0.0.0/8]}\n  - {key: destination.port, values: ['8080']}\n  - {key: 'request.auth.claims[groups]', values: [admin]}\n  - {key: 'experimental.envoy.filters.a.b[c]', values: [x]}\n  - {key: source.serviceAccount, values: [default/sleep]}`],
    ["a targetRef to a Gateway", "targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: waypoint}"],
    ["targetRefs to a Service", "targetRefs:\n- {group: '', kind: Service, name: reviews}"],
  ])("accepts %s", (_name, spec) => {
    expect(policyErrors(spec)).toEqual([]);
  });

  it.each([
    ["DENY without rules", "action: DENY", Code.requiredField, "spec.action", "DENY action without `rules` is meaningless"],
    ["CUSTOM without rules", "action: CUSTOM\nprovider: {name: x}", Code.requiredField, "spec.action", "CUSTOM action without `rules` is meaningless"],
    ["CUSTOM without a provider", "action: CUSTOM\nrules:\n- {}", Code.requiredField, "spec.action", "`provider.name` must not be empty"],
    ["CUSTOM with an empty provider name", "action: CUSTOM\nprovider: {name: ''}\nrules:\n- {}", Code.requiredField, "spec.provider.name", "`provider.name` must not be empty"],
    ["a provider with ALLOW", "provider: {name: x}\nrules:\n- {}", Code.invalidValue, "spec.provider", "`provider` must not be with non CUSTOM action, found ALLOW"],
    ["CUSTOM matching on namespaces", "action: CUSTOM\nprovider: {name: x}\nrules:\n- from:\n  - source: {namespaces: [ns]}", Code.invalidValue, "spec.rules[0].from[0].source.namespaces", "From.Namespaces is currently not supported with CUSTOM action"],
    ["CUSTOM matching on a JWT claim", "action: CUSTOM\nprovider: {name: x}\nrules:\n- when:\n  - {key: 'request.auth.claims[iss]', values: [a]}", Code.invalidValue, "spec.rules[0].when[0].key", "request.auth.claims[iss] is currently not supported with CUSTOM action"],
    ["an empty from list", "rules:\n- from: []", Code.emptyValue, "spec.rules[0].from", "`from` must not be empty, found at rule 0"],
    ["a from entry without a source", "rules:\n- {}\n- from:\n  - {}", Code.requiredField, "spec.rules[1].from[0]", "`from.source` must not be nil, found at rule 1"],
    ["an empty source", from("{}"), Code.emptyValue, "spec.rules[0].from[0].source", "`from.source` must not be empty, found at rule 0"],
    ["an empty to list", "rules:\n- to: []", Code.emptyValue, "spec.rules[0].to", "`to` must not be empty, found at rule 0"],
    ["an empty operation", to("{}"), Code.emptyValue, "spec.rules[0].to[0].operation", "`to.operation` must not be empty, found at rule 0"],
    ["an empty principal", from("{principals: [p1, '']}"), Code.emptyValue, "spec.rules[0].from[0].source.principals[1]", "empty value not allowed, found in Principals"],
    ["an empty method", to("{methods: ['']}"), Code.emptyValue, "spec.rules[0].to[0].operation.methods[0]", "empty value not allowed, found in Methods"],
    ["a bad IP block", from("{ipBlocks: [300.1.1.1]}"), Code.invalidAddress, "spec.rules[0].from[0].source.ipBlocks[0]", "bad IP address (300.1.1.1)"],
    ["a bad CIDR", from("{notRemoteIpBlocks: [10.0.0.0/33]}"), Code.invalidAddress, "spec.rules[0].from[0].source.notRemoteIpBlocks[0]", "bad CIDR range (10.0.0.0/33)"],
    ["a bad port", to("{ports: ['http']}"), Code.invalidPort, "spec.rules[0].to[0].operation.ports[0]", "bad port (http)"],
    ["a path template not at the end", to("{paths: ['/{**}/a/{*}']}"), Code.invalidValue, "spec.rules[0].to[0].operation.paths", "{**} is not the last operator"],
    ["a named path variable", to("{paths: ['/{id}/x/{*}']}"), Code.invalidValue, "spec.rules[0].to[0].operation.paths", "Contains '{' or '}' beyond a supported path template"],
    ["service accounts with namespaces", from("{serviceAccounts: [bar/sa], namespaces: [bar]}"), Code.mutuallyExclusive, "spec.rules[0].from[0].source", "cannot set serviceAccounts with namespaces or principals"],
    ["a wildcard service account", from("{serviceAccounts: ['ns/*']}"), Code.invalidValue, "spec.rules[0].from[0].source.serviceAccounts", "wildcard not allowed, found in ServiceAccounts"],
    ["a service account with two slashes", from("{notServiceAccounts: [a/b/c]}"), Code.invalidValue, "spec.rules[0].from[0].source.notServiceAccounts", "expected format 'serviceAccount' or 'namespace/serviceAccount'"],
    ["a condition on an unknown attribute", when("{key: key1, values: [v1]}"), Code.invalidValue, "spec.rules[0].when[0].key", "invalid `value` for `key` key1: unknown attribute: key1"],
    ["a misspelt attribute", when("{key: source.principle, values: [v1]}"), Code.invalidValue, "spec.rules[0].when[0].key", 'did you mean "source.principal"'],
    ["a replaced attribute", when("{key: destination.namespace, values: [ns]}"), Code.invalidValue, "spec.rules[0].when[0].key", "attribute destination.namespace is replaced by the metadata.namespace"],
    ["a header key without a name", when("{key: 'request.headers[]', values: [v]}"), Code.invalidValue, "spec.rules[0].when[0].key", "bad key (request.headers[]): should have format a[b]"],
    ["a bad IP in a condition", when("{key: source.ip, values: [a.b.c.d]}"), Code.invalidAddress, "spec.rules[0].when[0].values[0]", "invalid `value` for `key` source.ip: bad IP address (a.b.c.d)"],
    ["a bad port in notValues", when("{key: destination.port, notValues: ['99999']}"), Code.invalidValue, "spec.rules[0].when[0].notValues[0]", "invalid `notValue` for `key` destination.port: bad port (99999)"],
    ["an empty condition value", when("{key: source.namespace, values: ['']}"), Code.emptyValue, "spec.rules[0].when[0].values[0]", "empty value not allowed, found in source.namespace"],
    ["a condition without values", when("{key: source.principal}"), Code.requiredField, "spec.rules[0].when[0]", "at least one of `values` or `notValues` must be set for key source.principal"],
    ["a condition with an empty key", when("{key: '', values: [a]}"), Code.requiredField, "spec.rules[0].when[0].key", "`key` must not be empty"],
    ["a wildcard selector value", "selector:\n  matchLabels: {app: 'httpbin-*'}", Code.invalidSelector, "spec.selector.matchLabels.app", 'wildcard is not supported in selector: "app=httpbin-*"'],
    ["both a selector and a targetRef", "selector:\n  matchLabels: {app: a}\ntargetRef: {kind: Service, name: a}", Code.mutuallyExclusive, "spec.targetRef", "only one of targetRefs or selector can be set"],
    ["a targetRef to a Deployment", "targetRef: {group: apps, kind: Deployment, name: a}", Code.invalidValue, "spec.targetRef.kind", "targetRef must be to one of"],
    ["a targetRef without a name", "targetRefs:\n- {kind: Service}", Code.requiredField, "spec.targetRefs[0].name", "targetRef name must be set"],
    ["a cross-namespace targetRef", "targetRef: {kind: Service, name: a, namespace: other}", Code.invalidValue, "spec.targetRef.namespace", "cross namespace referencing is not currently supported"],
    ["an unknown action", "action: REJECT\nrules:\n- {}", Code.unknownEnumValue, "spec.action", 'unsupported value "REJECT"'],
  ])("rejects %s", (_name, spec, code, path, message) => {
    const errors = policyErrors(spec);
    expect(errors.find((e) => e.code === code && e.path === path)?.message, JSON.stringify(errors)).toContain(message);
  });

  it.each([
    ["'true'", "action: DENY\nrules:\n- {}"],
    ["'false'", ""],
    ["'1'", ""],
  ])("accepts the dry-run annotation %s on ALLOW and DENY policies", (value, spec) => {
    expect(policyErrors(spec || "rules:\n- {}", `{istio.io/dry-run: ${value}}`)).toEqual([]);
  });

  it.each([
    ["a value that is not a bool", "{istio.io/dry-run: foo}", "rules:\n- {}", "has annotation istio.io/dry-run with invalid value (foo)"],
    ["an AUDIT policy", "{istio.io/dry-run: 'true'}", "action: AUDIT\nrules:\n- {}", "the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action AUDIT"],
  ])("rejects the dry-run annotation on %s", (_name, annotations, spec, message) => {
    expect(policyErrors(spec, annotations)).toMatchObject([{ code: Code.invalidAnnotation, path: 'metadata.annotations["istio.io/dry-run"]', message: expect.stringContaining(message) }]);
  });
});
