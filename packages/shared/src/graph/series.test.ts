import { describe, expect, it } from "vitest";
import { countsAsTraffic, errorClass, isSuccessfulResponse, readSeries, responseKey, touches } from "./series.ts";
import { OUTSIDE, requests, wl } from "./series.testing.ts";

const productpage = wl("shop", "productpage-v1");
const reviews = wl("shop", "reviews-v2");

describe("responseKey", () => {
  it.each([
    { protocol: "http", code: "200", grpc: "", want: "2xx" },
    { protocol: "http", code: "304", grpc: "", want: "3xx" },
    { protocol: "http", code: "404", grpc: "", want: "4xx" },
    { protocol: "http", code: "503", grpc: "", want: "5xx" },
    { protocol: "http", code: "0", grpc: "", want: "-" },
    { protocol: "grpc", code: "0", grpc: "14", want: "-" },
    { protocol: "grpc", code: "200", grpc: "0", want: "OK" },
    { protocol: "grpc", code: "200", grpc: "14", want: "UNAVAILABLE" },
    { protocol: "grpc", code: "200", grpc: "16", want: "UNAUTHENTICATED" },
    { protocol: "grpc", code: "200", grpc: "42", want: "grpc-42" },
    { protocol: "grpc", code: "503", grpc: "14", want: "5xx" },
    { protocol: "grpc", code: "200", grpc: "", want: "2xx" },
  ] as const)("keys $protocol $code / grpc-status '$grpc' as $want", ({ protocol, code, grpc, want }) => {
    expect(responseKey(protocol, code, grpc)).toBe(want);
  });
});

describe("errorClass", () => {
  it.each([
    ["2xx", undefined],
    ["3xx", undefined],
    ["OK", undefined],
    ["4xx", "4xx"],
    ["5xx", "5xx"],
    ["-", "noResponse"],
    ["UNAVAILABLE", "grpc"],
    ["grpc-42", "grpc"],
  ])("classes %s as %s", (key, want) => {
    expect(errorClass(key)).toBe(want);
  });
});

describe("countsAsTraffic", () => {
  it.each([
    { reporter: "source", sourceWorkload: "productpage-v1", want: true, why: "the client's report of a meshed caller" },
    { reporter: "destination", sourceWorkload: "productpage-v1", want: false, why: "the server's copy of a meshed caller's request" },
    { reporter: "destination", sourceWorkload: "unknown", want: true, why: "a caller outside the mesh, reported only by the server" },
    { reporter: "source", sourceWorkload: "unknown", want: false, why: "a client report with no client (pod lifecycle noise)" },
    { reporter: undefined, sourceWorkload: "productpage-v1", want: true, why: "a series without a reporter label" },
  ] as const)("counts $why: $want", ({ reporter, sourceWorkload, want }) => {
    expect(countsAsTraffic({ reporter, sourceWorkload })).toBe(want);
  });
});

describe("readSeries", () => {
  it("reads the ends, protocol, response and policy of a sample", () => {
    const s = readSeries(requests({ reporter: "destination", from: productpage, to: reviews, code: "503", value: 1.5 }));
    expect(s).toMatchObject({
      reporter: "destination",
      sourceNamespace: "shop",
      sourceWorkload: "productpage-v1",
      sourceApp: "productpage",
      destService: "reviews",
      destWorkload: "reviews-v2",
      destVersion: "v2",
      protocol: "http",
      response: "5xx",
      securityPolicy: "mutual_tls",
      value: 1.5,
    });
  });

  it.each([
    { name: "NaN (a quantile over no traffic)", value: "NaN" },
    { name: "+Inf", value: "+Inf" },
    { name: "a negative rate", value: "-1" },
  ])("skips $name", ({ value }) => {
    const sample = requests({ reporter: "source", from: productpage, to: reviews, value: 1 });
    expect(readSeries({ ...sample, value: [0, value] })).toBeUndefined();
  });

  it("skips a source namespace with neither workload nor app (Kiali's bad source telemetry)", () => {
    const sample = requests({ reporter: "source", from: { ns: "shop", workload: "unknown", app: "unknown", version: "latest" }, to: reviews, value: 1 });
    expect(readSeries(sample)).toBeUndefined();
  });

  it("skips a destination named only by an IP address (Kiali's bad destination telemetry)", () => {
    const sample = requests({ reporter: "source", from: productpage, service: { ns: "shop", name: "x" }, value: 1 });
    sample.metric.destination_service = sample.metric.destination_service_name = "10.1.2.3:9080";
    expect(readSeries(sample)).toBeUndefined();
  });

  it("reads missing labels as empty, as Prometheus drops empty ones", () => {
    const s = readSeries({ metric: { reporter: "source", source_workload: "a", source_workload_namespace: "shop" }, value: [0, "1"] });
    expect(s).toMatchObject({ sourceApp: "", destService: "", securityPolicy: "unknown", response: "-" });
  });

  it("reads a caller outside the mesh", () => {
    const s = readSeries(requests({ reporter: "destination", from: OUTSIDE, to: productpage, policy: "none", value: 2 }));
    expect(s).toMatchObject({ sourceNamespace: "unknown", sourceWorkload: "unknown", securityPolicy: "none" });
  });
});

describe("touches", () => {
  const s = readSeries(requests({ reporter: "source", from: wl("web", "front"), to: wl("shop", "reviews-v1"), value: 1 }))!;
  it.each([
    { namespaces: ["web"], want: true },
    { namespaces: ["shop"], want: true },
    { namespaces: ["data"], want: false },
  ])("is $want for a web -> shop series when $namespaces is requested", ({ namespaces, want }) => {
    expect(touches(s, new Set(namespaces))).toBe(want);
  });
});

describe("isSuccessfulResponse", () => {
  it.each([
    [{}, true],
    [{ response_code: "200" }, true],
    [{ response_code: "200", grpc_response_status: "0" }, true],
    [{ response_code: "200", grpc_response_status: "14" }, false],
    [{ response_code: "503" }, false],
    [{ response_code: "404" }, false],
    [{ response_code: "0" }, false],
  ])("judges %j as %s", (metric, want) => {
    expect(isSuccessfulResponse({ metric, value: [0, "1"] })).toBe(want);
  });
});
