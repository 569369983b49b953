import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { authorizationPolicy, deployment, destinationRule, expectFindings, gateway, istio, peerAuthentication, requestAuthentication, serviceEntry, type Expected } from "./testing.ts";

const httpbin = deployment("foo/httpbin", { app: "httpbin", version: "v1" });
const ingress = deployment("istio-system/istio-ingressgateway", { istio: "ingressgateway" });
const selecting = (labels: Record<string, string>) => ({ selector: { matchLabels: labels } });
const server = { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] };

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts an AuthorizationPolicy selecting a workload of its namespace",
    docs: [httpbin, authorizationPolicy("foo/allow", { ...selecting({ app: "httpbin" }), rules: [{}] })],
    expected: [],
  },
  {
    name: "warns about an AuthorizationPolicy whose selector matches no workload",
    docs: [httpbin, authorizationPolicy("foo/allow", { ...selecting({ app: "httpbin", version: "v2" }), rules: [{}] })],
    expected: [
      {
        severity: "warning",
        path: "spec.selector.matchLabels",
        message: "selector {app: httpbin, version: v2} matches no workload of the input in namespace foo",
        on: "AuthorizationPolicy foo/allow",
      },
    ],
  },
  {
    name: "names a matching workload of another namespace",
    docs: [httpbin, peerAuthentication("bar/strict", { ...selecting({ app: "httpbin" }), mtls: { mode: "STRICT" } })],
    expected: [
      {
        severity: "warning",
        path: "spec.selector.matchLabels",
        message: "selector {app: httpbin} matches no workload of the input in namespace bar (Deployment foo/httpbin matches, but selectors only pick workloads of their own namespace)",
      },
    ],
  },
  {
    name: "lets a policy of the root namespace select in every namespace",
    docs: [httpbin, requestAuthentication("istio-system/jwt", { ...selecting({ app: "httpbin" }), jwtRules: [{ issuer: "https://issuer.example.com" }] })],
    expected: [],
  },
  {
    name: "warns about a root-namespace policy that matches nothing anywhere",
    docs: [httpbin, requestAuthentication("istio-system/jwt", { ...selecting({ app: "web" }), jwtRules: [{ issuer: "https://issuer.example.com" }] })],
    expected: [{ severity: "warning", path: "spec.selector.matchLabels", message: "selector {app: web} matches no workload of the input in any namespace" }],
  },
  {
    name: "lets a Gateway select its gateway pods in any namespace",
    docs: [ingress, gateway("default/public", { selector: { istio: "ingressgateway" }, servers: [server] })],
    expected: [],
  },
  {
    name: "warns about a Gateway whose selector matches no workload",
    docs: [gateway("default/public", { selector: { istio: "ingressgateway" }, servers: [server] })],
    expected: [{ severity: "warning", path: "spec.selector", message: "selector {istio: ingressgateway} matches no workload of the input in any namespace", on: "Gateway default/public" }],
  },
  {
    name: "checks a DestinationRule's workloadSelector and a ServiceEntry's",
    docs: [
      destinationRule("foo/reviews", { host: "reviews", workloadSelector: { matchLabels: { app: "productpage" } }, trafficPolicy: { loadBalancer: { simple: "RANDOM" } } }),
      serviceEntry("foo/vms", { hosts: ["vm.example.internal"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 80, name: "http", protocol: "HTTP" }], workloadSelector: { labels: { app: "vm" } } }),
    ],
    expected: [
      { severity: "warning", path: "spec.workloadSelector.matchLabels", message: /^selector \{app: productpage\} matches no workload/, on: "DestinationRule foo/reviews" },
      { severity: "warning", path: "spec.workloadSelector.labels", message: /^selector \{app: vm\} matches no workload/, on: "ServiceEntry foo/vms" },
    ],
  },
  {
    name: "checks a Sidecar's workloadSelector",
    docs: [httpbin, istio("Sidecar", "foo/egress", { workloadSelector: { labels: { app: "ratings" } }, egress: [{ hosts: ["./*"] }] })],
    expected: [{ severity: "warning", path: "spec.workloadSelector.labels", message: "selector {app: ratings} matches no workload of the input in namespace foo", on: "Sidecar foo/egress" }],
  },
  {
    name: "counts WorkloadEntries as workloads",
    docs: [istio("WorkloadEntry", "foo/vm-1", { address: "10.0.0.7", labels: { app: "legacy" } }), authorizationPolicy("foo/allow", { ...selecting({ app: "legacy" }), rules: [{}] })],
    expected: [],
  },
  {
    name: "does not judge policies without a selector",
    docs: [authorizationPolicy("foo/allow-nothing", {}), peerAuthentication("foo/default", { mtls: { mode: "STRICT" } })],
    expected: [],
  },
];

describe("SK2008 selectorMatchesNoWorkload", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.selectorMatchesNoWorkload, expected));
});
