import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, obj, oneOf, parseDurationNanos, report } from "./common.ts";
import { localityLoadBalancerSetting, zoneAwareLoadBalancerSetting } from "./locality-lb-setting.ts";

const uint64 = z.number().int().min(0, { error: "must be non-negative" }).max(Number.MAX_SAFE_INTEGER);

/** Any Go duration, 0s included: a cookie TTL of 0s asks for a session cookie, so Istio skips its >= 1ms rule here. */
const cookieTtl = z.string().superRefine((text, ctx) => {
  if (parseDurationNanos(text) === undefined) {
    report(ctx, Code.invalidDuration, `invalid duration "${text}": expected a number with a unit, e.g. 0s, 10s, 1h`);
  }
});

export const httpCookie = obj({
  name: z.string().optional(),
  path: z.string().optional(),
  ttl: cookieTtl.optional(),
  attributes: z.array(obj({ name: z.string(), value: z.string().optional() })).optional(),
}).superRefine((cookie, ctx) => {
  if (!cookie.name) report(ctx, Code.requiredField, "name required for HttpCookie", ["name"]);
});

/** Envoy's prime test (source/common/common/utility.cc), which Istio copies so both agree. */
export function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let factor = 3; factor <= limit; factor += 2) if (x % factor === 0) return false;
  return true;
}

/** Envoy's Maglev table must be prime and below 5000011, its largest supported size. */
const maglev = obj({ tableSize: uint64.optional() }).superRefine((m, ctx) => {
  const size = m.tableSize ?? 0;
  if (size === 0) report(ctx, Code.requiredField, "tableSize must be set for maglev", ["tableSize"]);
  else if (size >= 5000011) report(ctx, Code.outOfRange, "tableSize must be less than 5000011 for maglev", ["tableSize"]);
  else if (!isPrime(size)) report(ctx, Code.invalidValue, `tableSize must be a prime number for maglev (${size} is not)`, ["tableSize"]);
});

const ringHash = obj({ minimumRingSize: uint64.optional() });

const HASH_KEYS = ["httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"] as const;

/** Istio's `ConsistentHashLB`: at most one hash key and at most one hash algorithm (proto oneofs). */
export const consistentHash = obj({
  httpHeaderName: z.string().optional(),
  httpCookie: httpCookie.optional(),
  useSourceIp: z.boolean().optional(),
  httpQueryParameterName: z.string().optional(),
  ringHash: ringHash.optional(),
  maglev: maglev.optional(),
  /** Deprecated: use ringHash.minimumRingSize. */
  minimumRingSize: uint64.optional(),
}).superRefine((hash, ctx) => {
  const keys = HASH_KEYS.filter((k) => hash[k] !== undefined);
  if (keys.length > 1) {
    report(ctx, Code.mutuallyExclusive, `only one hash key can be set, found ${keys.join(" and ")}`, [keys[1]!]);
  }
  if (hash.ringHash && hash.maglev) {
    report(ctx, Code.mutuallyExclusive, "only one of ringHash or maglev can be set", ["maglev"]);
  }
  if (hash.minimumRingSize && (hash.ringHash || hash.maglev)) {
    report(ctx, Code.mutuallyExclusive, "only one of MinimumRingSize or Maglev/Ringhash can be specified", ["minimumRingSize"]);
  }
});

/** Envoy's slow start: new endpoints get a growing share of traffic during `duration`. */
export const warmupConfiguration = obj({
  duration,
  minimumPercent: z
    .number()
    .superRefine((n, ctx) => {
      if (n < 0 || n > 100) report(ctx, Code.invalidPercentage, `warmup minimumPercent ${n} is not in range 0..100`);
    })
    .optional(),
  aggression: z
    .number()
    .superRefine((n, ctx) => {
      // istio/api declares a minimum of 0; values below 1 ramp up slowly first (Envoy slow start).
      if (n < 0) report(ctx, Code.outOfRange, `warmup aggression ${n} must be >= 0 (1 ramps traffic up linearly)`);
    })
    .optional(),
});

export const SIMPLE_LB = ["UNSPECIFIED", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST", "LEAST_CONN"] as const;

/** Istio's `LoadBalancerSettings`. */
export const loadBalancerSettings = obj({
  simple: oneOf(SIMPLE_LB).optional(),
  consistentHash: consistentHash.optional(),
  localityLbSetting: localityLoadBalancerSetting.optional(),
  zoneAwareLbSetting: zoneAwareLoadBalancerSetting.optional(),
  /** Deprecated: use warmup.duration. */
  warmupDurationSecs: duration.optional(),
  warmup: warmupConfiguration.optional(),
}).superRefine((lb, ctx) => {
  if (lb.simple !== undefined && lb.consistentHash !== undefined) {
    report(ctx, Code.mutuallyExclusive, "only one of simple or consistentHash can be set", ["consistentHash"]);
  }
  if (lb.localityLbSetting !== undefined && lb.zoneAwareLbSetting !== undefined) {
    report(ctx, Code.mutuallyExclusive, "only one of localityLbSetting and zoneAwareLbSetting can be set", ["zoneAwareLbSetting"]);
  }
});

export type LoadBalancerSettings = z.infer<typeof loadBalancerSettings>;
