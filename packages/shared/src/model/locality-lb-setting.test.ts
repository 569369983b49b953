import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { localitiesError } from "./locality-lb-setting.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const lb = (loadBalancer: unknown) => manifest("DestinationRule", { host: "reviews", trafficPolicy: { loadBalancer, outlierDetection: { consecutive5xxErrors: 5 } } });
const loc = "spec.trafficPolicy.loadBalancer.localityLbSetting";
const zone = "spec.trafficPolicy.loadBalancer.zoneAwareLbSetting";

describe("LocalityLoadBalancerSetting", () => {
  const rejected = [
    {
      case: "distribute together with failover",
      lb: { localityLbSetting: { distribute: [{ from: "a/*", to: { "a/*": 100 } }], failover: [{ from: "a", to: "b" }] } },
      code: Code.mutuallyExclusive,
      path: `${loc}.failover`,
      message: "can not simultaneously specify 'distribute' and 'failover'",
    },
    {
      case: "failover with a topology label in failoverPriority",
      lb: { localityLbSetting: { failover: [{ from: "a", to: "b" }], failoverPriority: ["topology.kubernetes.io/zone"] } },
      code: Code.mutuallyExclusive,
      path: `${loc}.failoverPriority[0]`,
      message: "can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/zone'",
    },
    {
      case: "a locality weight of 0",
      lb: { localityLbSetting: { distribute: [{ from: "a/*", to: { "a/*": 0, "b/*": 100 } }] } },
      code: Code.invalidWeight,
      path: `${loc}.distribute[0].to["a/*"]`,
      message: "locality weight must be in range [1, 100]",
    },
    {
      case: "weights that do not add up to 100",
      lb: { localityLbSetting: { distribute: [{ from: "a/*", to: { "a/*": 80, "b/*": 10 } }] } },
      code: Code.invalidWeight,
      path: `${loc}.distribute[0].to`,
      message: "total locality weight 90 != 100",
    },
    {
      case: "a wildcard in the middle of a locality",
      lb: { localityLbSetting: { distribute: [{ from: "a/*/c", to: { "b/*": 100 } }] } },
      code: Code.invalidValue,
      path: `${loc}.distribute`,
      message: "locality a/*/c wildcard '*' number can not exceed 1 and must be in the end",
    },
    {
      case: "overlapping source localities",
      lb: { localityLbSetting: { distribute: [{ from: "a/*", to: { "a/*": 100 } }, { from: "a/z1", to: { "a/*": 100 } }] } },
      code: Code.invalidValue,
      path: `${loc}.distribute`,
      message: "locality a/z1 overlap with previous specified ones",
    },
    { case: "failover to the same region", lb: { localityLbSetting: { failover: [{ from: "us-east", to: "us-east" }] } }, code: Code.invalidValue, path: `${loc}.failover[0]`, message: "must specify different regions" },
    { case: "failover between zones", lb: { localityLbSetting: { failover: [{ from: "us-east/z1", to: "us-west" }] } }, code: Code.invalidValue, path: `${loc}.failover[0]`, message: "failover only specify region" },
    { case: "failover to a wildcard", lb: { localityLbSetting: { failover: [{ from: "us-east", to: "*" }] } }, code: Code.invalidValue, path: `${loc}.failover[0]`, message: "should not contain '*' wildcard" },
    {
      case: "zone-aware failoverPriority naming the zone label",
      lb: { zoneAwareLbSetting: { enabled: true, failoverPriority: ["topology.kubernetes.io/zone"] } },
      code: Code.invalidValue,
      path: `${zone}.failoverPriority[0]`,
      message: "must not include topology label 'topology.kubernetes.io/zone'",
    },
    { case: "zone-aware failover to the same region", lb: { zoneAwareLbSetting: { failover: [{ from: "r1", to: "r1" }] } }, code: Code.invalidValue, path: `${zone}.failover[0]`, message: "must specify different regions" },
  ];
  it.each(rejected)("rejects $case", ({ lb: settings, ...want }) => expectError(lb(settings), want));

  const accepted = [
    {
      case: "weights distributed across zones",
      lb: { localityLbSetting: { distribute: [{ from: "us-west/zone1/*", to: { "us-west/zone1/*": 80, "us-west/zone2/*": 20 } }, { from: "us-west/zone2/*", to: { "us-west/zone1/*": 20, "us-west/zone2/*": 80 } }] } },
    },
    { case: "region failover", lb: { localityLbSetting: { enabled: true, failover: [{ from: "us-east", to: "eu-west" }, { from: "us-west", to: "us-east" }] } } },
    { case: "failoverPriority by labels", lb: { localityLbSetting: { failoverPriority: ["topology.istio.io/network", "topology.kubernetes.io/region", "topology.kubernetes.io/zone"] } } },
    { case: "zone-aware routing with region failover", lb: { simple: "LEAST_REQUEST", zoneAwareLbSetting: { enabled: true, failover: [{ from: "us-east", to: "eu-west" }], failoverPriority: ["version=v1"] } } },
  ];
  it.each(accepted)("accepts $case", ({ lb: settings }) => expect(errorsOf(lb(settings))).toEqual([]));

  it.each([
    [["us-west/zone1/*", "us-west/zone2/*"], undefined],
    [["*"], undefined],
    [["*", "a"], "locality a overlap with previous specified ones"],
    [["a", "a/z1"], "locality a/z1 overlap with previous specified ones"],
    [["a/z1/s1", "a/z1/s1"], "locality a/z1/s1 overlap with previous specified ones"],
    [["a//s1"], "locality a//s1 must not contain empty region/zone/subzone info"],
    [["a/**"], "locality a/** wildcard '*' number can not exceed 1 and must be in the end"],
  ])("judges the localities %j as Istio does", (localities, error) => expect(localitiesError(localities)).toBe(error));
});
