import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const dr = (spec: unknown, metadata?: Record<string, unknown>) => manifest("DestinationRule", spec, metadata);

describe("DestinationRule", () => {
  const rejected = [
    { case: "an empty host", spec: { host: "" }, code: Code.invalidHost, path: "spec.host", message: "empty domain name not allowed" },
    { case: "a host with an invalid label", spec: { host: "ba!r.com" }, code: Code.invalidHost, path: "spec.host", message: 'label "ba!r" invalid' },
    { case: "a missing host", spec: { subsets: [{ name: "v1" }] }, code: Code.requiredField, path: "spec.host", message: 'missing required field "host"' },
    { case: "a subset with an empty name", spec: { host: "reviews", subsets: [{ name: "" }] }, code: Code.emptyValue, path: "spec.subsets[0].name", message: "subset name cannot be empty" },
    { case: "a subset name that is not a DNS label", spec: { host: "reviews", subsets: [{ name: "V_1" }] }, code: Code.invalidName, path: "spec.subsets[0].name", message: "subset name is invalid: V_1" },
    {
      case: "two subsets with the same name",
      spec: { host: "reviews", subsets: [{ name: "foo" }, { name: "foo" }] },
      code: Code.duplicateValue,
      path: "spec.subsets[1].name",
      message: "duplicate subset names: foo",
    },
    { case: "an invalid subset label", spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v 1" } }] }, code: Code.invalidSelector, path: "spec.subsets[0].labels.version", message: "invalid label value" },
    { case: "an empty subset traffic policy", spec: { host: "reviews", subsets: [{ name: "v1", trafficPolicy: {} }] }, code: Code.emptyValue, path: "spec.subsets[0].trafficPolicy", message: "traffic policy must have at least one field" },
    { case: "a wildcard in the workload selector", spec: { host: "reviews", workloadSelector: { matchLabels: { app: "*" } } }, code: Code.invalidSelector, path: "spec.workloadSelector.matchLabels.app", message: "wildcard is not supported in selector" },
    { case: "a misspelt field, naming the right one", spec: { host: "reviews", subset: [] }, code: Code.unknownField, path: "spec.subset", message: 'did you mean "subsets"' },
    { case: "exportTo to nobody", spec: { host: "reviews", exportTo: ["~"] }, code: Code.invalidValue, path: "spec.exportTo[0]", message: "allowed only in a ServiceEntry" },
    { case: "exportTo to an invalid namespace", spec: { host: "reviews", exportTo: ["Bad_NS"] }, code: Code.invalidName, path: "spec.exportTo[0]", message: 'exportTo entry "Bad_NS"' },
    { case: "a repeated exportTo entry", spec: { host: "reviews", exportTo: ["a", "a"] }, code: Code.duplicateValue, path: "spec.exportTo[1]", message: "duplicate entries in exportTo for entry a" },
    { case: "exportTo to everyone and to a namespace", spec: { host: "reviews", exportTo: ["*", "a"] }, code: Code.mutuallyExclusive, path: "spec.exportTo[0]", message: "cannot have both public (*) and non-public" },
    {
      case: "a workload-selected rule exported to all namespaces",
      spec: { host: "reviews", workloadSelector: { matchLabels: { app: "ratings" } }, exportTo: ["*"] },
      code: Code.invalidValue,
      path: "spec.exportTo[0]",
      message: "cannot have exportTo beyond current namespace",
    },
  ];
  it.each(rejected)("rejects $case", ({ spec, ...want }) => expectError(dr(spec), want));

  it("rejects a workload-selected rule exported to another namespace", () => {
    expectError(dr({ host: "reviews", workloadSelector: { matchLabels: { app: "x" } }, exportTo: ["other"] }, { name: "r", namespace: "prod" }), {
      code: Code.invalidValue,
      path: "spec.exportTo[0]",
      message: "cannot have exportTo beyond current namespace",
    });
  });

  it('rejects exporting to both "." and the rule\'s own namespace', () => {
    expectError(dr({ host: "reviews", exportTo: [".", "prod"] }, { name: "r", namespace: "prod" }), {
      code: Code.duplicateValue,
      path: "spec.exportTo[1]",
      message: "duplicate entries in exportTo: . and current namespace prod",
    });
  });

  const accepted = [
    { case: "a short host with version subsets", spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] } },
    { case: "a wildcard host", spec: { host: "*.foo.com", trafficPolicy: { tls: { mode: "SIMPLE" } } } },
    { case: "subset-level policy overrides", spec: { host: "ratings.prod.svc.cluster.local", trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } }, subsets: [{ name: "testversion", labels: { version: "v3" }, trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }] } },
    { case: "an export to its own namespace only", spec: { host: "reviews", exportTo: ["."] } },
    { case: "a workload-selected rule kept in its namespace", spec: { host: "example.com", workloadSelector: { matchLabels: { app: "ratings" } }, exportTo: ["."], trafficPolicy: { portLevelSettings: [{ port: { number: 31443 }, tls: { mode: "MUTUAL", credentialName: "client-credential" } }] } } },
  ];
  it.each(accepted)("accepts $case", ({ spec }) => expect(errorsOf(dr(spec))).toEqual([]));
});
