import { describe, expect, it } from "vitest";
import { expectValid, reviewsDestinationRule, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { faultInjectionErrors, faultInjectionResources, faultInjectionStart, type FaultInjectionForm } from "./fault-injection.ts";
import { serviceConfigOf, type VirtualServiceBody } from "./service-config.ts";

const reviews = { namespace: "shop", service: "reviews" };
const httpOf = (docs: { spec: unknown }[]) => (docs[0]!.spec as VirtualServiceBody["spec"]).http!;
const form = (over: Partial<FaultInjectionForm> = {}): FaultInjectionForm => ({
  delay: { enabled: true, percent: 50, fixedDelay: "2s" },
  abort: { enabled: true, percent: 10, httpStatus: 503 },
  scope: "default",
  ...over,
});

describe("fault injection", () => {
  it("starts with both faults off when the route has none", () => {
    const start = faultInjectionStart(serviceConfigOf(reviews, shopResources, shopWorkloads));
    expect(start.delay.enabled).toBe(false);
    expect(start.abort.enabled).toBe(false);
  });

  it("puts a delay and an abort on the default route only, in Istio's percentage form", () => {
    const docs = faultInjectionResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form());
    const http = httpOf(docs);
    expect(http[0]!.fault).toBeUndefined();
    expect(http[1]!.fault).toEqual({ delay: { percentage: { value: 50 }, fixedDelay: "2s" }, abort: { percentage: { value: 10 }, httpStatus: 503 } });
    expect(http[1]!.timeout).toBe("5s");
    expectValid(docs);
  });

  it("puts the fault on every forwarding route when asked, and reads it back", () => {
    const docs = faultInjectionResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form({ scope: "all", delay: { enabled: false, percent: 0, fixedDelay: "" } }));
    expect(httpOf(docs).map((r) => r.fault)).toEqual([
      { abort: { percentage: { value: 10 }, httpStatus: 503 } },
      { abort: { percentage: { value: 10 }, httpStatus: 503 } },
    ]);
    const stored = { ...shopResources[1]!, spec: docs[0]!.spec };
    const again = faultInjectionStart(serviceConfigOf(reviews, [reviewsDestinationRule, stored], shopWorkloads));
    expect(again.abort).toEqual({ enabled: true, percent: 10, httpStatus: 503 });
    expect(again.delay.enabled).toBe(false);
  });

  it("removes the fault when both parts are off", () => {
    const withFault = { ...shopResources[1]!, spec: faultInjectionResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form())[0]!.spec };
    const cfg = serviceConfigOf(reviews, [reviewsDestinationRule, withFault], shopWorkloads);
    const docs = faultInjectionResources(cfg, form({ delay: { enabled: false, percent: 1, fixedDelay: "1s" }, abort: { enabled: false, percent: 1, httpStatus: 500 } }));
    expect(httpOf(docs)[1]).not.toHaveProperty("fault");
  });

  it("rejects percentages outside 0..100 and statuses outside 200..599", () => {
    expect(faultInjectionErrors(form({ delay: { enabled: true, percent: 120, fixedDelay: "1s" }, abort: { enabled: true, percent: 10, httpStatus: 99 } }))).toHaveLength(2);
    expect(faultInjectionErrors(form())).toEqual([]);
  });
});
