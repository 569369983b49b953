import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { destinationRule, expectFindings, type Expected } from "./testing.ts";

const rule = (ref: string, host: string, subsets: string[], extra: Record<string, unknown> = {}) =>
  destinationRule(ref, { host, subsets: subsets.map((name) => ({ name, labels: { version: name } })), ...extra });

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "is an error on both rules when two rules for one host define the same subset",
    docs: [rule("default/reviews-a", "reviews", ["v1", "v2"]), rule("default/reviews-b", "reviews.default.svc.cluster.local", ["v3", "v2"])],
    expected: [
      {
        severity: "error",
        path: "spec.subsets[1].name",
        message: 'subset "v2" for host reviews.default.svc.cluster.local is also defined by DestinationRule default/reviews-b: Istio merges DestinationRules for the same host and keeps only the first definition of a subset',
        on: "DestinationRule default/reviews-a",
      },
      { severity: "error", path: "spec.subsets[1].name", message: /is also defined by DestinationRule default\/reviews-a:/, on: "DestinationRule default/reviews-b" },
    ],
  },
  {
    name: "accepts rules for one host with different subsets",
    docs: [rule("default/reviews-a", "reviews", ["v1"]), rule("default/reviews-b", "reviews", ["v2"])],
    expected: [],
  },
  {
    name: "accepts the same subset for different hosts",
    docs: [rule("default/reviews", "reviews", ["v1"]), rule("default/ratings", "ratings", ["v1"])],
    expected: [],
  },
  {
    name: "accepts the same subset in rules of different namespaces, which Istio does not merge",
    docs: [rule("default/reviews", "reviews.default.svc.cluster.local", ["v1"]), rule("web/reviews", "reviews.default.svc.cluster.local", ["v1"])],
    expected: [],
  },
  {
    name: "accepts the same subset in rules for different workload selectors",
    docs: [
      rule("default/reviews-a", "reviews", ["v1"], { workloadSelector: { matchLabels: { app: "productpage" } } }),
      rule("default/reviews-b", "reviews", ["v1"], { workloadSelector: { matchLabels: { app: "ratings" } } }),
    ],
    expected: [],
  },
  {
    name: "flags rules with the same workload selector",
    docs: [
      rule("default/reviews-a", "reviews", ["v1"], { workloadSelector: { matchLabels: { app: "productpage", tier: "web" } } }),
      rule("default/reviews-b", "reviews", ["v1"], { workloadSelector: { matchLabels: { tier: "web", app: "productpage" } } }),
    ],
    expected: [
      { severity: "error", path: "spec.subsets[0].name", message: /subset "v1"/, on: "DestinationRule default/reviews-a" },
      { severity: "error", path: "spec.subsets[0].name", message: /subset "v1"/, on: "DestinationRule default/reviews-b" },
    ],
  },
];

describe("SK2003 duplicateSubset", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.duplicateSubset, expected));
});
