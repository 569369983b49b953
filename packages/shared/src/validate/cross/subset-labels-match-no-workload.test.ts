import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { deployment, destinationRule, expectFindings, istio, reviews, service, serviceEntry, type Expected } from "./testing.ts";

const subsets = (...versions: string[]) => versions.map((v) => ({ name: v, labels: { version: v } }));

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts subsets whose labels select pods behind the host",
    docs: [...reviews("default", ["v1", "v2"]), destinationRule("default/reviews", { host: "reviews", subsets: subsets("v1", "v2") })],
    expected: [],
  },
  {
    name: "is an error when pods behind the host are present but none carries the subset's labels",
    docs: [...reviews("default", ["v1", "v2"]), destinationRule("default/reviews", { host: "reviews", subsets: subsets("v1", "v3") })],
    expected: [
      {
        severity: "error",
        path: "spec.subsets[1].labels",
        message:
          'subset "v3" labels {version: v3} match none of the workloads behind host reviews.default.svc.cluster.local: Deployment default/reviews-v1 {app: reviews, version: v1}, Deployment default/reviews-v2 {app: reviews, version: v2}',
        on: "DestinationRule default/reviews",
      },
    ],
  },
  {
    name: "says nothing when the input has no workloads behind the host",
    docs: [service("default/reviews", { app: "reviews" }), destinationRule("default/reviews", { host: "reviews", subsets: subsets("v9") })],
    expected: [],
  },
  {
    name: "only counts pods the Service selects in its own namespace",
    docs: [service("default/reviews", { app: "reviews" }), deployment("default/reviews-v1", { app: "reviews", version: "v1" }), deployment("other/reviews-v2", { app: "reviews", version: "v2" }), destinationRule("default/reviews", { host: "reviews", subsets: subsets("v2") })],
    expected: [{ severity: "error", path: "spec.subsets[0].labels", message: /match none of the workloads behind host reviews\.default\.svc\.cluster\.local: Deployment default\/reviews-v1 / }],
  },
  {
    name: "judges a ServiceEntry host by its labelled endpoints",
    docs: [
      serviceEntry("default/legacy", { hosts: ["legacy.example.internal"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 80, name: "http", protocol: "HTTP" }], endpoints: [{ address: "10.0.0.7", labels: { version: "v1" } }] }),
      destinationRule("default/legacy", { host: "legacy.example.internal", subsets: subsets("v1", "v2") }),
    ],
    expected: [{ severity: "error", path: "spec.subsets[1].labels", message: /subset "v2" .* endpoint 10\.0\.0\.7 of ServiceEntry default\/legacy \{version: v1\}$/ }],
  },
  {
    name: "is an error when a ServiceEntry's endpoints carry no labels for the subset to select",
    docs: [
      serviceEntry("default/legacy", { hosts: ["legacy.example.internal"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 80, name: "http", protocol: "HTTP" }], endpoints: [{ address: "10.0.0.7" }] }),
      destinationRule("default/legacy", { host: "legacy.example.internal", subsets: subsets("v1") }),
    ],
    expected: [{ severity: "error", path: "spec.subsets[0].labels", message: /endpoint 10\.0\.0\.7 of ServiceEntry default\/legacy \{\}$/ }],
  },
  {
    name: "judges a ServiceEntry host by the WorkloadEntries its workloadSelector picks",
    docs: [
      istio("WorkloadEntry", "default/vm-1", { address: "10.0.0.7", labels: { app: "vm", version: "v1" } }),
      serviceEntry("default/vm", { hosts: ["vm.example.internal"], location: "MESH_INTERNAL", resolution: "STATIC", ports: [{ number: 80, name: "http", protocol: "HTTP" }], workloadSelector: { labels: { app: "vm" } } }),
      destinationRule("default/vm", { host: "vm.example.internal", subsets: subsets("v1") }),
    ],
    expected: [],
  },
  {
    name: "does not judge subsets without labels",
    docs: [...reviews("default", ["v1"]), destinationRule("default/reviews", { host: "reviews", subsets: [{ name: "all" }] })],
    expected: [],
  },
];

describe("SK2009 subsetLabelsMatchNoWorkload", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.subsetLabelsMatchNoWorkload, expected));
});
