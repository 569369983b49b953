import { describe, expect, it } from "vitest";
import { expectValid, validationErrors, reviewsDestinationRule, peerAuthentication, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { serviceConfigOf, type VirtualServiceBody } from "./service-config.ts";
import { timeoutsRetriesErrors, timeoutsRetriesResources, timeoutsRetriesStart } from "./timeouts-retries.ts";

const reviews = { namespace: "shop", service: "reviews" };
const httpOf = (docs: { spec: unknown }[]) => (docs[0]!.spec as VirtualServiceBody["spec"]).http!;

describe("timeouts and retries", () => {
  it("starts from the default route's settings", () => {
    expect(timeoutsRetriesStart(serviceConfigOf(reviews, shopResources, shopWorkloads))).toEqual({
      timeout: "5s",
      attempts: 2,
      perTryTimeout: "2s",
      retryOn: "5xx,connect-failure",
      scope: "default",
    });
  });

  it("sets the timeout and retries on the default route and leaves its destinations alone", () => {
    const docs = timeoutsRetriesResources(serviceConfigOf(reviews, shopResources, shopWorkloads), { timeout: "10s", attempts: 3, perTryTimeout: "3s", retryOn: "gateway-error", scope: "default" });
    const http = httpOf(docs);
    expect(http[1]).toMatchObject({ timeout: "10s", retries: { attempts: 3, perTryTimeout: "3s", retryOn: "gateway-error" } });
    expect(http[1]!.route).toHaveLength(2);
    expect(http[0]).not.toHaveProperty("timeout");
    expectValid(docs);
  });

  it("removes a setting whose field is left empty", () => {
    const docs = timeoutsRetriesResources(serviceConfigOf(reviews, shopResources, shopWorkloads), { timeout: "", attempts: undefined, perTryTimeout: "", retryOn: "", scope: "all" });
    for (const r of httpOf(docs)) {
      expect(r).not.toHaveProperty("timeout");
      expect(r).not.toHaveProperty("retries");
    }
  });

  it("turns retries off with attempts 0", () => {
    const docs = timeoutsRetriesResources(serviceConfigOf(reviews, [reviewsDestinationRule, peerAuthentication], shopWorkloads), {
      timeout: "1s",
      attempts: 0,
      perTryTimeout: "",
      retryOn: "",
      scope: "default",
    });
    expect(httpOf(docs)).toEqual([{ route: [{ destination: { host: "reviews" } }], timeout: "1s", retries: { attempts: 0 } }]);
    expectValid(docs, [reviewsDestinationRule, peerAuthentication]);
  });

  it("asks for attempts before per-try timeout or retry conditions", () => {
    expect(timeoutsRetriesErrors({ timeout: "", attempts: undefined, perTryTimeout: "1s", retryOn: "", scope: "default" })).toHaveLength(1);
    expect(timeoutsRetriesErrors({ timeout: "", attempts: 2, perTryTimeout: "1s", retryOn: "5xx", scope: "default" })).toEqual([]);
  });

  it("leaves the retry values to the model: its validation of the YAML rejects negative attempts and unknown conditions", () => {
    const form = { timeout: "", attempts: -1, perTryTimeout: "", retryOn: "5xx,on-tuesdays", scope: "default" } as const;
    expect(timeoutsRetriesErrors(form)).toEqual([]);
    const errors = validationErrors(timeoutsRetriesResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form));
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining("attempts cannot be negative"), expect.stringContaining('"on-tuesdays" is not a valid retryOn policy')]));
  });
});
