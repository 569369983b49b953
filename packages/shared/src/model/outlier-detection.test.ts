import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const od = (outlierDetection: unknown) => manifest("DestinationRule", { host: "reviews", trafficPolicy: { outlierDetection } });
const at = "spec.trafficPolicy.outlierDetection";

describe("OutlierDetection", () => {
  const rejected = [
    { case: "a max ejection percent above 100", od: { maxEjectionPercent: 105 }, code: Code.invalidPercentage, path: `${at}.maxEjectionPercent`, message: "percentage 105 is not in range 0..100" },
    { case: "a negative min health percent", od: { minHealthPercent: -1 }, code: Code.invalidPercentage, path: `${at}.minHealthPercent`, message: "percentage -1 is not in range 0..100" },
    { case: "a sub-millisecond interval", od: { interval: "2.000000005s" }, code: Code.invalidDuration, path: `${at}.interval`, message: "only durations to ms precision are supported" },
    { case: "a zero base ejection time", od: { baseEjectionTime: "0s" }, code: Code.invalidDuration, path: `${at}.baseEjectionTime`, message: "duration must be greater than 1ms" },
    { case: "a negative error count", od: { consecutive5xxErrors: -1 }, code: Code.outOfRange, path: `${at}.consecutive5xxErrors`, message: "non-negative" },
    {
      case: "local-origin failures without split mode",
      od: { consecutiveLocalOriginFailures: 5 },
      code: Code.invalidValue,
      path: `${at}.consecutiveLocalOriginFailures`,
      message: "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
    },
  ];
  it.each(rejected)("rejects $case", ({ od: settings, ...want }) => expectError(od(settings), want));

  const accepted = [
    { case: "5xx and gateway error counts with timing", od: { consecutive5xxErrors: 7, consecutiveGatewayErrors: 3, interval: "5m", baseEjectionTime: "15m", maxEjectionPercent: 100, minHealthPercent: 0 } },
    { case: "local-origin failures in split mode", od: { splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 5 } },
    { case: "the deprecated consecutiveErrors", od: { consecutiveErrors: 5 } },
    { case: "disabled 5xx detection", od: { consecutive5xxErrors: 0 } },
  ];
  it.each(accepted)("accepts $case", ({ od: settings }) => expect(errorsOf(od(settings))).toEqual([]));
});
