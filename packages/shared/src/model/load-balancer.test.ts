import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { isPrime } from "./load-balancer.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const lb = (loadBalancer: unknown) => manifest("DestinationRule", { host: "reviews", trafficPolicy: { loadBalancer } });
const at = "spec.trafficPolicy.loadBalancer";

describe("LoadBalancerSettings", () => {
  const rejected = [
    { case: "an unknown simple balancer, naming the nearest", lb: { simple: "ROUND_ROBBIN" }, code: Code.unknownEnumValue, path: `${at}.simple`, message: 'did you mean "ROUND_ROBIN"' },
    { case: "simple together with consistentHash", lb: { simple: "RANDOM", consistentHash: { useSourceIp: true } }, code: Code.mutuallyExclusive, path: `${at}.consistentHash`, message: "only one of simple or consistentHash" },
    {
      case: "two hash keys",
      lb: { consistentHash: { httpHeaderName: "x-user", useSourceIp: true } },
      code: Code.mutuallyExclusive,
      path: `${at}.consistentHash.useSourceIp`,
      message: "only one hash key can be set, found httpHeaderName and useSourceIp",
    },
    { case: "a hash cookie without a name", lb: { consistentHash: { httpCookie: { ttl: "5s" } } }, code: Code.requiredField, path: `${at}.consistentHash.httpCookie.name`, message: "name required for HttpCookie" },
    { case: "a cookie TTL without a unit", lb: { consistentHash: { httpCookie: { name: "user", ttl: "5" } } }, code: Code.invalidDuration, path: `${at}.consistentHash.httpCookie.ttl`, message: 'invalid duration "5"' },
    { case: "a maglev table size that is not prime", lb: { consistentHash: { maglev: { tableSize: 1000 } } }, code: Code.invalidValue, path: `${at}.consistentHash.maglev.tableSize`, message: "tableSize must be a prime number for maglev" },
    { case: "a maglev table without a size", lb: { consistentHash: { maglev: {} } }, code: Code.requiredField, path: `${at}.consistentHash.maglev.tableSize`, message: "tableSize must be set for maglev" },
    { case: "a maglev table too large for Envoy", lb: { consistentHash: { maglev: { tableSize: 5000011 } } }, code: Code.outOfRange, path: `${at}.consistentHash.maglev.tableSize`, message: "tableSize must be less than 5000011" },
    { case: "both ringHash and maglev", lb: { consistentHash: { ringHash: { minimumRingSize: 1024 }, maglev: { tableSize: 65537 } } }, code: Code.mutuallyExclusive, path: `${at}.consistentHash.maglev`, message: "only one of ringHash or maglev" },
    {
      case: "the deprecated minimumRingSize with a hash algorithm",
      lb: { consistentHash: { minimumRingSize: 1024, ringHash: { minimumRingSize: 1024 } } },
      code: Code.mutuallyExclusive,
      path: `${at}.consistentHash.minimumRingSize`,
      message: "only one of MinimumRingSize or Maglev/Ringhash can be specified",
    },
    { case: "a warmup without a duration", lb: { warmup: { minimumPercent: 5 } }, code: Code.requiredField, path: `${at}.warmup.duration`, message: 'missing required field "duration"' },
    { case: "a warmup minimum percent above 100", lb: { warmup: { duration: "300s", minimumPercent: 150 } }, code: Code.invalidPercentage, path: `${at}.warmup.minimumPercent`, message: "minimumPercent 150 is not in range 0..100" },
    { case: "a negative warmup aggression", lb: { warmup: { duration: "300s", aggression: -0.1 } }, code: Code.outOfRange, path: `${at}.warmup.aggression`, message: "aggression -0.1 must be >= 0" },
    { case: "a sub-millisecond warmupDurationSecs", lb: { warmupDurationSecs: "0.5ms" }, code: Code.invalidDuration, path: `${at}.warmupDurationSecs`, message: "duration must be greater than 1ms" },
    {
      case: "locality and zone-aware settings together",
      lb: { localityLbSetting: { enabled: true }, zoneAwareLbSetting: { enabled: true } },
      code: Code.mutuallyExclusive,
      path: `${at}.zoneAwareLbSetting`,
      message: "only one of localityLbSetting and zoneAwareLbSetting can be set",
    },
  ];
  it.each(rejected)("rejects $case", ({ lb: settings, ...want }) => expectError(lb(settings), want));

  const accepted = [
    { case: "every simple balancer", lb: { simple: "LEAST_CONN" } },
    { case: "a session cookie (TTL 0s) with attributes", lb: { consistentHash: { httpCookie: { name: "user", path: "/", ttl: "0s", attributes: [{ name: "SameSite", value: "Strict" }, { name: "Secure" }] } } } },
    { case: "a prime maglev table", lb: { consistentHash: { httpQueryParameterName: "user", maglev: { tableSize: 65537 } } } },
    { case: "a ring hash on the source IP", lb: { consistentHash: { useSourceIp: true, ringHash: { minimumRingSize: 1024 } } } },
    { case: "a full warmup", lb: { simple: "ROUND_ROBIN", warmup: { duration: "300s", minimumPercent: 10, aggression: 1.5 } } },
    { case: "a gentle warmup below 1", lb: { warmup: { duration: "60s", aggression: 0.5 } } },
    { case: "zone-aware routing with a minimum cluster size", lb: { simple: "LEAST_REQUEST", zoneAwareLbSetting: { enabled: true, minClusterSize: 1 } } },
  ];
  it.each(accepted)("accepts $case", ({ lb: settings }) => expect(errorsOf(lb(settings))).toEqual([]));

  it.each([
    [1, true],
    [2, true],
    [3, true],
    [4, false],
    [9, false],
    [65537, true],
    [1000, false],
    [4999999, true],
  ])("judges %i prime: %s (as Envoy does)", (n, prime) => expect(isPrime(n)).toBe(prime));
});
