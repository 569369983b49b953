import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { destinationRule, expectFindings, peerAuthentication, reviews, serviceEntry, type Expected } from "./testing.ts";

const tls = (mode: string) => ({ tls: { mode } });
const rule = (spec: Record<string, unknown>) => destinationRule("default/reviews", { host: "reviews", ...spec });
const strictNamespace = peerAuthentication("default/default", { mtls: { mode: "STRICT" } });
const strictMesh = peerAuthentication("istio-system/default", { mtls: { mode: "STRICT" } });
const workloadMode = (ref: string, version: string, mode: string) => peerAuthentication(ref, { selector: { matchLabels: { app: "reviews", version } }, mtls: { mode } });
const versionSubset = (name: string, policy?: Record<string, unknown>) => ({ name, labels: { version: name }, ...(policy ? { trafficPolicy: policy } : {}) });

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "is an error to disable TLS towards workloads under a STRICT namespace policy",
    docs: [...reviews("default", ["v1", "v2"]), strictNamespace, rule({ trafficPolicy: tls("DISABLE") })],
    expected: [
      {
        severity: "error",
        path: "spec.trafficPolicy.tls.mode",
        message:
          "tls mode DISABLE sends plain text to host reviews.default.svc.cluster.local, but PeerAuthentication default/default requires STRICT mutual TLS for Deployment default/reviews-v1 and 1 more: their sidecars refuse these requests",
        on: "DestinationRule default/reviews",
      },
    ],
  },
  {
    name: "is an error to originate SIMPLE TLS towards workloads under a STRICT mesh policy",
    docs: [...reviews("default", ["v1"]), strictMesh, rule({ trafficPolicy: tls("SIMPLE") })],
    expected: [{ severity: "error", path: "spec.trafficPolicy.tls.mode", message: /^tls mode SIMPLE sends TLS without the mesh's client certificate .* PeerAuthentication istio-system\/default requires STRICT/ }],
  },
  {
    name: "checks port-level TLS settings",
    docs: [...reviews("default", ["v1"]), strictNamespace, rule({ trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, ...tls("DISABLE") }] } })],
    expected: [{ severity: "error", path: "spec.trafficPolicy.portLevelSettings[0].tls.mode", message: /requires STRICT mutual TLS/ }],
  },
  {
    name: "judges a subset's TLS by the workloads the subset selects",
    docs: [
      ...reviews("default", ["v1", "v2"]),
      workloadMode("default/reviews-v2-strict", "v2", "STRICT"),
      rule({ subsets: [versionSubset("v1", tls("DISABLE")), versionSubset("v2", tls("DISABLE"))] }),
    ],
    expected: [{ severity: "error", path: "spec.subsets[1].trafficPolicy.tls.mode", message: /PeerAuthentication default\/reviews-v2-strict requires STRICT mutual TLS for Deployment default\/reviews-v2:/ }],
  },
  {
    name: "lets a workload policy relax the namespace policy",
    docs: [...reviews("default", ["v1"]), strictNamespace, workloadMode("default/reviews-permissive", "v1", "PERMISSIVE"), rule({ trafficPolicy: tls("DISABLE") })],
    expected: [],
  },
  {
    name: "lets an UNSET workload policy inherit the namespace's STRICT",
    docs: [...reviews("default", ["v1"]), strictNamespace, workloadMode("default/reviews-unset", "v1", "UNSET"), rule({ trafficPolicy: tls("DISABLE") })],
    expected: [{ severity: "error", path: "spec.trafficPolicy.tls.mode", message: /PeerAuthentication default\/default requires STRICT/ }],
  },
  {
    name: "accepts DISABLE towards PERMISSIVE workloads",
    docs: [...reviews("default", ["v1"]), peerAuthentication("default/default", { mtls: { mode: "PERMISSIVE" } }), rule({ trafficPolicy: tls("DISABLE") })],
    expected: [],
  },
  {
    name: "ignores a selector in the root namespace, as Istio does for peer authentication",
    docs: [...reviews("default", ["v1"]), peerAuthentication("istio-system/reviews", { selector: { matchLabels: { app: "reviews" } }, mtls: { mode: "STRICT" } }), rule({ trafficPolicy: tls("DISABLE") })],
    expected: [],
  },
  {
    name: "judges by the namespace policy when the input has no workloads for the host",
    docs: [strictNamespace, rule({ trafficPolicy: tls("DISABLE") })],
    expected: [{ severity: "error", path: "spec.trafficPolicy.tls.mode", message: /PeerAuthentication default\/default requires STRICT mutual TLS in namespace default: sidecars refuse these requests$/ }],
  },
  {
    name: "only warns by the namespace policy when workload policies there may relax it",
    docs: [strictNamespace, workloadMode("default/reviews-permissive", "v1", "PERMISSIVE"), rule({ trafficPolicy: tls("DISABLE") })],
    expected: [{ severity: "warning", path: "spec.trafficPolicy.tls.mode", message: /unless a workload-level PeerAuthentication relaxes it$/ }],
  },
  {
    name: "applies a mesh-wide wildcard rule against the mesh policy",
    docs: [strictMesh, destinationRule("istio-system/all", { host: "*.local", trafficPolicy: tls("DISABLE") })],
    expected: [{ severity: "error", path: "spec.trafficPolicy.tls.mode", message: /to host \*\.local, but PeerAuthentication istio-system\/default requires STRICT mutual TLS mesh-wide/ }],
  },
  {
    name: "leaves TLS origination to external ServiceEntry hosts alone",
    docs: [
      strictMesh,
      serviceEntry("default/google", { hosts: ["www.googleapis.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https", protocol: "HTTPS" }] }),
      destinationRule("default/google", { host: "www.googleapis.com", trafficPolicy: tls("SIMPLE") }),
    ],
    expected: [],
  },
  {
    name: "warns about ISTIO_MUTUAL towards a namespace that disables mutual TLS",
    docs: [peerAuthentication("default/default", { mtls: { mode: "DISABLE" } }), rule({ trafficPolicy: tls("ISTIO_MUTUAL") })],
    expected: [
      {
        severity: "warning",
        path: "spec.trafficPolicy.tls.mode",
        message:
          "tls mode ISTIO_MUTUAL sends Istio mutual TLS to host reviews.default.svc.cluster.local, but PeerAuthentication default/default disables mutual TLS in namespace default: sidecars do not terminate it, so the application receives TLS it cannot read",
      },
    ],
  },
  {
    name: "warns about ISTIO_MUTUAL only when every workload behind the host disables mutual TLS",
    docs: [...reviews("default", ["v1", "v2"]), workloadMode("default/reviews-v1-plain", "v1", "DISABLE"), rule({ trafficPolicy: tls("ISTIO_MUTUAL") })],
    expected: [],
  },
  {
    name: "warns about ISTIO_MUTUAL towards a workload whose policy disables mutual TLS",
    docs: [...reviews("default", ["v1"]), workloadMode("default/reviews-v1-plain", "v1", "DISABLE"), rule({ trafficPolicy: tls("ISTIO_MUTUAL") })],
    expected: [{ severity: "warning", path: "spec.trafficPolicy.tls.mode", message: /PeerAuthentication default\/reviews-v1-plain disables mutual TLS for Deployment default\/reviews-v1: its sidecar does not terminate it/ }],
  },
  {
    name: "accepts ISTIO_MUTUAL towards STRICT workloads",
    docs: [...reviews("default", ["v1"]), strictNamespace, rule({ trafficPolicy: tls("ISTIO_MUTUAL") })],
    expected: [],
  },
];

describe("SK2005 tlsConflictsWithPeerAuthentication", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.tlsConflictsWithPeerAuthentication, expected));
});
