import { describe, expect, it } from "vitest";
import { EndpointsMap } from "./endpoints-map.ts";
import { readSeries, type Endpoints, type MeshSeries } from "./series.ts";
import { OUTSIDE, requests, wl } from "./series.testing.ts";

const productpage = wl("shop", "productpage-v1");
const reviewsV1 = wl("shop", "reviews-v1");
const reviewsV2 = wl("shop", "reviews-v2");

const series = (...args: Parameters<typeof requests>): MeshSeries => readSeries(requests(...args))!;

/** A map whose values count how many times `make` ran. */
const counting = () => {
  let made = 0;
  return new EndpointsMap<Endpoints, number>(() => made++);
};

describe("EndpointsMap", () => {
  it("gives every series with the same ends and protocol one value, made once", () => {
    const map = counting();
    const a = series({ reporter: "source", from: productpage, to: reviewsV1, code: "200", value: 5 });
    const b = series({ reporter: "destination", from: productpage, to: reviewsV1, code: "503", policy: "mutual_tls", value: 1 });
    expect(map.get("http", a)).toBe(0);
    expect(map.get("http", b)).toBe(0);
    expect(map.values()).toEqual([0]);
  });

  it("tells apart a service's versions, callers outside the mesh and protocols", () => {
    const map = counting();
    const ends = [
      series({ reporter: "source", from: productpage, to: reviewsV1, value: 1 }),
      series({ reporter: "source", from: productpage, to: reviewsV2, value: 1 }),
      series({ reporter: "destination", from: OUTSIDE, to: reviewsV1, value: 1 }),
      // the request reached no workload
      series({ reporter: "source", from: productpage, service: { ns: "shop", name: "reviews" }, value: 1 }),
    ];
    expect(ends.map((s) => map.get("http", s))).toEqual([0, 1, 2, 3]);
    expect(map.get("grpc", ends[0]!)).toBe(4);
    expect(map.get("tcp", ends[0]!)).toBe(5);
    expect(ends.map((s) => map.get("http", s))).toEqual([0, 1, 2, 3]);
  });

  const base: Endpoints = readSeries(requests({ reporter: "source", from: productpage, to: reviewsV1, value: 1 }))!;
  it.each([
    "sourceNamespace",
    "sourceWorkload",
    "sourceApp",
    "sourceVersion",
    "destServiceNamespace",
    "destService",
    "destWorkloadNamespace",
    "destWorkload",
    "destApp",
    "destVersion",
  ] as const)("tells apart ends that differ only in %s", (field) => {
    const map = counting();
    map.get("http", base);
    expect(map.get("http", { ...base, [field]: `${base[field]}-other` })).toBe(1);
  });

  it("lists values in the order their ends were first seen", () => {
    const map = new EndpointsMap<Endpoints, string>((protocol, s) => `${protocol} ${s.sourceWorkload}->${s.destWorkload}`);
    map.get("http", series({ reporter: "source", from: reviewsV2, to: reviewsV1, value: 1 }));
    map.get("http", series({ reporter: "source", from: productpage, to: reviewsV1, value: 1 }));
    map.get("http", series({ reporter: "destination", from: reviewsV2, to: reviewsV1, value: 1 }));
    expect(map.values()).toEqual(["http reviews-v2->reviews-v1", "http productpage-v1->reviews-v1"]);
  });
});
