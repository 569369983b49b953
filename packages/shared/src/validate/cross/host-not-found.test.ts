import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { destinationRule, expectFindings, namespace, service, serviceEntry, virtualService, type Expected } from "./testing.ts";

const to = (host: string, extra: Record<string, unknown> = {}) => ({ hosts: ["front"], http: [{ route: [{ destination: { host } }], ...extra }] });
const external = (hosts: string[]) => serviceEntry("default/external", { hosts, location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https", protocol: "HTTPS" }] });

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts a destination whose Service is in the input",
    docs: [service("default/reviews", { app: "reviews" }), virtualService("default/front", to("reviews"))],
    expected: [],
  },
  {
    name: "warns about a destination host that no Service or ServiceEntry defines",
    docs: [virtualService("default/front", to("reviews"))],
    expected: [
      {
        severity: "warning",
        path: "spec.http[0].route[0].destination.host",
        message: 'destination host "reviews" (reviews.default.svc.cluster.local) is not in the input: no Service or ServiceEntry defines it',
        on: "VirtualService default/front",
      },
    ],
  },
  {
    name: "warns about a DestinationRule host that is not in the input",
    docs: [destinationRule("default/ratings", { host: "ratings.default.svc.cluster.local", trafficPolicy: { loadBalancer: { simple: "RANDOM" } } })],
    expected: [{ severity: "warning", path: "spec.host", message: "DestinationRule host ratings.default.svc.cluster.local is not in the input: no Service or ServiceEntry defines it" }],
  },
  {
    name: "checks the mirror host",
    docs: [service("default/reviews", { app: "reviews" }), virtualService("default/front", to("reviews", { mirror: { host: "shadow" } }))],
    expected: [{ severity: "warning", path: "spec.http[0].mirror.host", message: /destination host "shadow"/ }],
  },
  {
    name: "finds an external host defined by a ServiceEntry",
    docs: [external(["www.googleapis.com"]), virtualService("default/front", to("www.googleapis.com"))],
    expected: [],
  },
  {
    name: "finds a host covered by a wildcard ServiceEntry",
    docs: [serviceEntry("default/example", { hosts: ["*.example.com"], location: "MESH_EXTERNAL", resolution: "NONE", ports: [{ number: 443, name: "tls", protocol: "TLS" }] }), virtualService("default/front", to("api.example.com"))],
    expected: [],
  },
  {
    name: "finds a ServiceEntry's short host from a destination in its namespace",
    docs: [serviceEntry("default/mydb", { hosts: ["mydb"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 5432, name: "tcp", protocol: "TCP" }], endpoints: [{ address: "10.0.0.5" }] }), virtualService("default/front", to("mydb"))],
    expected: [],
  },
  {
    name: "skips wildcard DestinationRule hosts",
    docs: [destinationRule("default/all", { host: "*.default.svc.cluster.local", trafficPolicy: { loadBalancer: { simple: "RANDOM" } } })],
    expected: [],
  },
  {
    name: "reads name.namespace as the Service of that namespace",
    docs: [namespace("prod"), service("prod/reviews", { app: "reviews" }), virtualService("default/front", to("reviews.prod"))],
    expected: [],
  },
  {
    name: "resolves a short name in the VirtualService's namespace, not the Service's",
    docs: [service("default/reviews", { app: "reviews" }), virtualService("web/front", to("reviews"))],
    expected: [{ severity: "warning", path: "spec.http[0].route[0].destination.host", message: /\(reviews\.web\.svc\.cluster\.local\) is not in the input/ }],
  },
];

describe("SK2002 hostNotFound", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.hostNotFound, expected));
});
