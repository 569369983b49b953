import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const pool = (connectionPool: unknown) => manifest("DestinationRule", { host: "reviews", trafficPolicy: { connectionPool } });
const at = "spec.trafficPolicy.connectionPool";

describe("ConnectionPoolSettings", () => {
  const rejected = [
    { case: "an empty pool", cp: {}, code: Code.emptyValue, path: at, message: "connection pool must have at least one field" },
    { case: "negative max connections", cp: { tcp: { maxConnections: -1 } }, code: Code.outOfRange, path: `${at}.tcp.maxConnections`, message: "max connections must be non-negative" },
    { case: "a sub-millisecond connect timeout", cp: { tcp: { connectTimeout: "2.000000005s" } }, code: Code.invalidDuration, path: `${at}.tcp.connectTimeout`, message: "only durations to ms precision are supported" },
    { case: "a zero keepalive interval", cp: { tcp: { tcpKeepalive: { interval: "0s" } } }, code: Code.invalidDuration, path: `${at}.tcp.tcpKeepalive.interval`, message: "duration must be greater than 1ms" },
    { case: "a max connection duration without a unit", cp: { tcp: { maxConnectionDuration: "30" } }, code: Code.invalidDuration, path: `${at}.tcp.maxConnectionDuration`, message: 'invalid duration "30"' },
    { case: "negative pending requests", cp: { http: { http1MaxPendingRequests: -1 } }, code: Code.outOfRange, path: `${at}.http.http1MaxPendingRequests`, message: "http1 max pending requests must be non-negative" },
    { case: "negative http2 max requests", cp: { http: { http2MaxRequests: -5 } }, code: Code.outOfRange, path: `${at}.http.http2MaxRequests`, message: "http2 max requests must be non-negative" },
    { case: "negative requests per connection", cp: { http: { maxRequestsPerConnection: -1 } }, code: Code.outOfRange, path: `${at}.http.maxRequestsPerConnection`, message: "max requests per connection must be non-negative" },
    { case: "negative max retries", cp: { http: { maxRetries: -1 } }, code: Code.outOfRange, path: `${at}.http.maxRetries`, message: "max retries must be non-negative" },
    { case: "negative concurrent streams", cp: { http: { maxConcurrentStreams: -1 } }, code: Code.outOfRange, path: `${at}.http.maxConcurrentStreams`, message: "max concurrent streams must be non-negative" },
    { case: "a fractional limit", cp: { tcp: { maxConnections: 1.5 } }, code: Code.wrongType, path: `${at}.tcp.maxConnections`, message: "got number 1.5" },
    {
      case: "an h2 upgrade that also keeps the client protocol",
      cp: { http: { h2UpgradePolicy: "UPGRADE", useClientProtocol: true } },
      code: Code.mutuallyExclusive,
      path: `${at}.http.useClientProtocol`,
      message: "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
    },
    { case: "an unknown upgrade policy", cp: { http: { h2UpgradePolicy: "UPGRAED" } }, code: Code.unknownEnumValue, path: `${at}.http.h2UpgradePolicy`, message: 'did you mean "UPGRADE"' },
  ];
  it.each(rejected)("rejects $case", ({ cp, ...want }) => expectError(pool(cp), want));

  const accepted = [
    { case: "TCP limits with keepalive", cp: { tcp: { maxConnections: 100, connectTimeout: "30ms", tcpKeepalive: { probes: 9, time: "7200s", interval: "75s" }, maxConnectionDuration: "1h", idleTimeout: "5m" } } },
    { case: "HTTP limits", cp: { http: { http1MaxPendingRequests: 0, http2MaxRequests: 1000, maxRequestsPerConnection: 10, maxRetries: 3, idleTimeout: "1h", h2UpgradePolicy: "DO_NOT_UPGRADE", useClientProtocol: true, maxConcurrentStreams: 100 } } },
  ];
  it.each(accepted)("accepts $case", ({ cp }) => expect(errorsOf(pool(cp))).toEqual([]));
});
