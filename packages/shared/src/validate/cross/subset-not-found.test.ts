import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { destinationRule, expectFindings, reviews, virtualService, type Expected } from "./testing.ts";

const route = (...subsets: string[]) => ({
  hosts: ["reviews"],
  http: [{ route: subsets.map((subset, i) => ({ destination: { host: "reviews", subset }, weight: i === 0 ? 100 : 0 })) }],
});
const subsets = (...names: string[]) => names.map((name) => ({ name, labels: { version: name } }));
const reviewsRule = (ref: string, names: string[], extra: Record<string, unknown> = {}) => destinationRule(ref, { host: "reviews", subsets: subsets(...names), ...extra });

interface Row {
  name: string;
  docs: string[];
  expected: Expected[];
}

const rows: Row[] = [
  {
    name: "accepts a subset the DestinationRule for the host defines",
    docs: [...reviews("default", ["v1", "v2"]), virtualService("default/reviews", route("v1", "v2")), reviewsRule("default/reviews", ["v1", "v2"])],
    expected: [],
  },
  {
    name: "is an error when the DestinationRule for the host lacks the subset",
    docs: [virtualService("default/reviews", route("v1", "v3")), reviewsRule("default/reviews", ["v1", "v2"])],
    expected: [
      {
        severity: "error",
        path: "spec.http[0].route[1].destination.subset",
        message: 'subset "v3" is not defined by DestinationRule default/reviews for host reviews.default.svc.cluster.local (it defines v1, v2)',
        on: "VirtualService default/reviews",
      },
    ],
  },
  {
    name: "is a warning when no DestinationRule for the host is in the input",
    docs: [virtualService("default/reviews", route("v1"))],
    expected: [{ severity: "warning", path: "spec.http[0].route[0].destination.subset", message: 'subset "v1" cannot be checked: no DestinationRule for host reviews.default.svc.cluster.local in the input' }],
  },
  {
    name: "checks the mirror destination",
    docs: [virtualService("default/reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }], mirror: { host: "reviews", subset: "v9" } }] }), reviewsRule("default/reviews", ["v1"])],
    expected: [{ severity: "error", path: "spec.http[0].mirror.subset", message: /subset "v9" is not defined by DestinationRule default\/reviews/ }],
  },
  {
    name: "checks every destination of mirrors",
    docs: [
      virtualService("default/reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }], mirrors: [{ destination: { host: "reviews", subset: "v2" } }] }] }),
      reviewsRule("default/reviews", ["v1"]),
    ],
    expected: [{ severity: "error", path: "spec.http[0].mirrors[0].destination.subset", message: /subset "v2"/ }],
  },
  {
    name: "checks TCP and TLS route destinations",
    docs: [
      virtualService("default/reviews", {
        hosts: ["reviews"],
        tcp: [{ route: [{ destination: { host: "reviews", subset: "tcp" } }] }],
        tls: [{ match: [{ sniHosts: ["reviews"] }], route: [{ destination: { host: "reviews", subset: "tls" } }] }],
      }),
      reviewsRule("default/reviews", ["v1"]),
    ],
    expected: [
      { severity: "error", path: "spec.tcp[0].route[0].destination.subset", message: /subset "tcp"/ },
      { severity: "error", path: "spec.tls[0].route[0].destination.subset", message: /subset "tls"/ },
    ],
  },
  {
    name: "resolves short and qualified names of the same host alike",
    docs: [virtualService("default/reviews", route("v1")), destinationRule("default/reviews", { host: "reviews.default.svc.cluster.local", subsets: subsets("v1") })],
    expected: [],
  },
  {
    name: "merges the subsets of several DestinationRules for the host in one namespace",
    docs: [virtualService("default/reviews", route("v1", "v2")), reviewsRule("default/reviews-a", ["v1"]), reviewsRule("default/reviews-b", ["v2"])],
    expected: [],
  },
  {
    name: "uses a DestinationRule of the service's namespace for a client in another namespace",
    docs: [virtualService("web/reviews", { hosts: ["reviews.default.svc.cluster.local"], http: [{ route: [{ destination: { host: "reviews.default.svc.cluster.local", subset: "v1" } }] }] }), reviewsRule("default/reviews", ["v1"])],
    expected: [],
  },
  {
    name: "prefers the client's own DestinationRule over the service namespace's, as Istio does",
    docs: [
      virtualService("web/reviews", { hosts: ["reviews.default.svc.cluster.local"], http: [{ route: [{ destination: { host: "reviews.default.svc.cluster.local", subset: "v2" } }] }] }),
      destinationRule("web/reviews", { host: "reviews.default.svc.cluster.local", subsets: subsets("v1") }),
      reviewsRule("default/reviews", ["v1", "v2"]),
    ],
    expected: [{ severity: "error", path: "spec.http[0].route[0].destination.subset", message: /not defined by DestinationRule web\/reviews for host reviews\.default\.svc\.cluster\.local/ }],
  },
  {
    name: "is an error when the only rule defining the subset is not exported to the client",
    docs: [
      virtualService("web/reviews", { hosts: ["reviews.default.svc.cluster.local"], http: [{ route: [{ destination: { host: "reviews.default.svc.cluster.local", subset: "v1" } }] }] }),
      reviewsRule("default/reviews", ["v1"], { exportTo: ["."] }),
    ],
    expected: [{ severity: "error", path: "spec.http[0].route[0].destination.subset", message: /subset "v1" is defined by DestinationRule default\/reviews, which does not apply in namespace web/ }],
  },
  {
    name: "finds a subset in a wildcard DestinationRule that covers the host",
    docs: [virtualService("default/reviews", route("v1")), destinationRule("default/all", { host: "*.default.svc.cluster.local", subsets: subsets("v1") })],
    expected: [],
  },
  {
    name: "says so when the DestinationRule for the host defines no subsets",
    docs: [virtualService("default/reviews", route("v1")), destinationRule("default/reviews", { host: "reviews", trafficPolicy: { loadBalancer: { simple: "RANDOM" } } })],
    expected: [{ severity: "error", path: "spec.http[0].route[0].destination.subset", message: /\(it defines no subsets\)$/ }],
  },
];

describe("SK2001 subsetNotFound", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.subsetNotFound, expected));
});
