// Response flags: https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags
import { describe, expect, it } from "vitest";
import {
  DownstreamConnectionTermination,
  formatResponseFlags,
  isResponseFlag,
  MeshError,
  NO_RESPONSE_FLAGS,
  NoHealthyUpstream,
  NoRouteFound,
  RESPONSE_FLAG_NAMES,
  RESPONSE_FLAGS,
  type ResponseFlag,
  UpstreamConnectionFailure,
  UpstreamConnectionTermination,
  UpstreamOverflow,
  UpstreamRetryLimitExceeded,
  UpstreamTimeout,
} from "./response-flags.ts";

describe("formatResponseFlags", () => {
  it.each<{ flags: ResponseFlag[]; short: string; long: string }>([
    { flags: [], short: "-", long: "-" },
    { flags: ["UH"], short: "UH", long: "NoHealthyUpstream" },
    // Envoy's own utility test: timeout + delay + fault prints "UT,DI,FI".
    { flags: ["FI", "DI", "UT"], short: "UT,DI,FI", long: "UpstreamRequestTimeout,DelayInjected,FaultInjected" },
    { flags: ["URX", "UF"], short: "UF,URX", long: "UpstreamConnectionFailure,UpstreamRetryLimitExceeded" },
    { flags: ["UO", "UO"], short: "UO", long: "UpstreamOverflow" },
    { flags: ["UF", "UF"], short: "UF", long: "UpstreamConnectionFailure" },
    { flags: ["URX", "UF", "URX"], short: "UF,URX", long: "UpstreamConnectionFailure,UpstreamRetryLimitExceeded" },
  ])("prints $flags as $short / $long in Envoy's order, each flag once", ({ flags, short, long }) => {
    expect(formatResponseFlags(flags)).toBe(short);
    expect(formatResponseFlags(flags, true)).toBe(long);
  });

  it("prints a dash when no flag is set, as Envoy does, whatever holds the flags", () => {
    expect(NO_RESPONSE_FLAGS).toBe("-");
    expect(formatResponseFlags(undefined)).toBe("-");
    expect(formatResponseFlags(undefined, true)).toBe("-");
    expect(formatResponseFlags([])).toBe("-");
    expect(formatResponseFlags(new Set<ResponseFlag>())).toBe("-");
  });

  it("accepts any iterable, such as a Set of flags collected along the request", () => {
    expect(formatResponseFlags(new Set<ResponseFlag>(["UH"]))).toBe("UH");
    expect(formatResponseFlags(new Set<ResponseFlag>(["FI", "DI", "UT"]))).toBe("UT,DI,FI");
    expect(formatResponseFlags(new Set<ResponseFlag>(["URX", "UF"]).values(), true)).toBe("UpstreamConnectionFailure,UpstreamRetryLimitExceeded");
  });
});

describe("response flag list", () => {
  it("knows every flag the data path raises, in Envoy's order", () => {
    expect(RESPONSE_FLAGS.slice(0, 9)).toEqual(["LH", "UH", "UT", "LR", "UR", "UF", "UC", "UO", "NR"]);
    expect(RESPONSE_FLAGS.at(-1)).toBe("UDO");
    for (const f of ["DC", "URX", "DI", "FI", "RL", "UAEX", "RLSE", "DPE", "UPE", "UMSDR", "SI", "IH", "DT", "NC"]) expect(isResponseFlag(f)).toBe(true);
    expect(isResponseFlag("XX")).toBe(false);
    expect(RESPONSE_FLAG_NAMES.UMSDR).toBe("UpstreamMaxStreamDurationReached");
  });

  it("gives every flag a distinct long name and accepts only the short ones as flags", () => {
    expect(RESPONSE_FLAGS).toHaveLength(30);
    expect(new Set(RESPONSE_FLAGS.map((f) => RESPONSE_FLAG_NAMES[f])).size).toBe(RESPONSE_FLAGS.length);
    expect(isResponseFlag("NoHealthyUpstream")).toBe(false);
    expect(isResponseFlag("uh")).toBe(false);
  });
});

describe("MeshError", () => {
  it.each([
    { error: new UpstreamTimeout(), flag: "UT", status: 504, name: "UpstreamTimeout" },
    { error: new NoHealthyUpstream(), flag: "UH", status: 503, name: "NoHealthyUpstream" },
    { error: new UpstreamOverflow(), flag: "UO", status: 503, name: "UpstreamOverflow" },
    { error: new NoRouteFound(), flag: "NR", status: 404, name: "NoRouteFound" },
    { error: new UpstreamConnectionFailure(), flag: "UF", status: 503, name: "UpstreamConnectionFailure" },
    { error: new DownstreamConnectionTermination(), flag: "DC", status: 0, name: "DownstreamConnectionTermination" },
    { error: new UpstreamConnectionTermination(), flag: "UC", status: 503, name: "UpstreamConnectionTermination" },
    { error: new UpstreamRetryLimitExceeded(), flag: "URX", status: 503, name: "UpstreamRetryLimitExceeded" },
  ])("$name carries flag $flag and status $status", ({ error, flag, status, name }) => {
    expect(error).toBeInstanceOf(MeshError);
    expect(error).toBeInstanceOf(Error);
    expect([error.flag, error.status, error.name]).toEqual([flag, status, name]);
  });

  it("keeps the cause and the last attempt's status when retries run out", () => {
    const last = new UpstreamTimeout();
    const urx = new UpstreamRetryLimitExceeded(last);
    expect(urx.status).toBe(504);
    expect(urx.cause).toBe(last);
    expect(new UpstreamConnectionFailure("connect ECONNREFUSED", { cause: "econnrefused" }).cause).toBe("econnrefused");
  });
});
