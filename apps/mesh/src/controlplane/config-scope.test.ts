import { describe, expect, it } from "vitest";
import { validateSources, type Resource } from "@skein/shared";
import { byKey, changedScopes } from "./config-scope.ts";

const load = (yaml: string): Resource[] => validateSources([{ file: "t.yaml", text: yaml }]).resources.map((l) => l.resource);
const rule = (name: string, namespace: string, selector = "") => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  host: reviews.default.svc.cluster.local${selector ? `\n  workloadSelector: {matchLabels: {${selector}}}` : ""}
`;

describe("changedScopes", () => {
  const base = load(rule("reviews", "default"));
  const same = byKey(base);

  it("finds nothing when every resource is the same object", () => {
    expect(changedScopes(same, byKey([...base]), "istio-system")).toEqual([]);
  });

  it("scopes a DestinationRule with a workloadSelector to the workloads it selects, before and after", () => {
    const [was] = load(rule("from-pp", "default", "app: productpage"));
    const [is] = load(rule("from-pp", "default", "app: ratings"));
    expect(changedScopes(byKey([...base, was!]), byKey([...base, is!]), "istio-system")).toEqual([
      { namespace: "default", labels: { app: "productpage" } },
      { namespace: "default", labels: { app: "ratings" } },
    ]);
  });

  it.each([
    ["a DestinationRule without a selector", rule("reviews", "default").replace("reviews.default", "ratings.default")],
    ["a selecting DestinationRule in the root namespace", rule("from-pp", "istio-system", "app: productpage")],
    ["a resource in a namespace nothing used before", rule("from-pp", "team", "app: productpage")],
  ])("reaches every sidecar for %s", (_name, yaml) => {
    const [r] = load(yaml);
    const after = byKey([...base.filter((b) => `${b.metadata.namespace}/${b.metadata.name}` !== `${r!.metadata.namespace}/${r!.metadata.name}`), r!]);
    expect(changedScopes(same, after, "istio-system")).toBe("all");
  });
});
