import { validateSources } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { bodyOf, diffBodies, loadedFromStore, renderYaml, sameBody, type ResourceBody } from "./resource-yaml.ts";

const body = (spec: unknown, annotations?: Record<string, string>): ResourceBody => ({
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: { name: "reviews", namespace: "default", ...(annotations ? { annotations } : {}) },
  spec,
});
const key = { kind: "DestinationRule", namespace: "default", name: "reviews" };

describe("bodyOf", () => {
  it("keeps what the author wrote and drops what servers and kubectl set", () => {
    const resource = {
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: { name: "reviews", namespace: "default", resourceVersion: "7", uid: "u", creationTimestamp: "2024-01-01T00:00:00Z", labels: { team: "a" }, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
      spec: { host: "reviews" },
    };
    expect(bodyOf(resource)).toEqual({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "reviews", namespace: "default", labels: { team: "a" } }, spec: { host: "reviews" } });
  });
});

describe("sameBody", () => {
  it("ignores the order of map keys but not of list items", () => {
    expect(sameBody(body({ host: "reviews", subsets: [{ name: "v1" }] }), body({ subsets: [{ name: "v1" }], host: "reviews" }))).toBe(true);
    expect(sameBody(body({ subsets: [{ name: "v1" }, { name: "v2" }] }), body({ subsets: [{ name: "v2" }, { name: "v1" }] }))).toBe(false);
    expect(sameBody(null, null)).toBe(true);
    expect(sameBody(body({}), null)).toBe(false);
  });
});

describe("renderYaml", () => {
  it("quotes strings a YAML 1.1 reader would turn into dates or booleans, so the validator reads them back as written", () => {
    const b = body({ host: "reviews" }, { "deployed-at": "2024-01-01", canary: "on" });
    const [loaded] = validateSources([{ file: "x.yaml", text: renderYaml(b) }]).resources;
    expect(loaded!.resource.metadata.annotations).toEqual({ "deployed-at": "2024-01-01", canary: "on" });
  });
});

describe("diffBodies", () => {
  it("labels a creation from /dev/null and a deletion to /dev/null, like git", () => {
    expect(diffBodies(key, null, body({ host: "reviews" }))).toMatch(/^--- \/dev\/null\n\+\+\+ b\/DestinationRule\/default\/reviews\n@@ -0,0 \+1,7 @@\n\+apiVersion/);
    expect(diffBodies(key, body({ host: "reviews" }), null)).toMatch(/^--- a\/DestinationRule\/default\/reviews\n\+\+\+ \/dev\/null\n/);
  });
});

describe("loadedFromStore", () => {
  it("locates a field on the line the store's YAML shows it", () => {
    const loaded = loadedFromStore(body({ host: "reviews", subsets: [{ name: "v1" }] }));
    expect(loaded.source.file).toBe("store:DestinationRule/default/reviews");
    expect(loaded.source.locate(["spec", "subsets", 0, "name"])).toEqual({ line: 9, column: 7 });
  });
});
