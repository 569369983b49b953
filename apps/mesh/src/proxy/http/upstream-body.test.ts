import { describe, expect, it } from "vitest";
import type { HeaderMap } from "./exchange.ts";
import { readUpstreamBody, UpstreamBody, type BodySink } from "./upstream-body.ts";

function source() {
  const calls: string[] = [];
  return { calls, abort: (e: Error) => calls.push(`abort ${e.message}`), resume: () => calls.push("resume") };
}

class RecordingSink implements BodySink {
  chunks: string[] = [];
  ended: HeaderMap | undefined | "open" = "open";
  failed: Error | undefined;
  full = false;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk.toString());
    return !this.full;
  }
  end(trailers: HeaderMap | undefined): void {
    this.ended = trailers;
  }
  fail(error: Error): void {
    this.failed = error;
  }
}

describe("UpstreamBody", () => {
  it("hands a body that arrived whole before the sink to it in order, with its trailers", () => {
    const body = new UpstreamBody(source());
    expect(body.push(Buffer.from("a"))).toBe(true);
    body.push(Buffer.from("b"));
    body.end({ "grpc-status": "0" });
    expect(body.complete).toBe(true);
    const sink = new RecordingSink();
    body.pipeTo(sink);
    expect(sink.chunks).toEqual(["a", "b"]);
    expect(sink.ended).toEqual({ "grpc-status": "0" });
  });

  it("streams chunks that arrive after the sink attached straight through", () => {
    const body = new UpstreamBody(source());
    const sink = new RecordingSink();
    body.pipeTo(sink);
    body.push(Buffer.from("x"));
    body.end(undefined);
    expect(sink.chunks).toEqual(["x"]);
    expect(sink.ended).toBeUndefined();
  });

  it("pauses the upstream when the sink is full and resumes it when the sink drains", () => {
    const src = source();
    const body = new UpstreamBody(src);
    const sink = new RecordingSink();
    body.pipeTo(sink);
    sink.full = true;
    expect(body.push(Buffer.from("1"))).toBe(false);
    sink.full = false;
    body.resume();
    expect(src.calls).toEqual(["resume"]);
    // A resume with nothing paused does not reach the upstream.
    body.resume();
    expect(src.calls).toEqual(["resume"]);
  });

  it("pauses the upstream once 64 KiB wait for a sink, and resumes it when one attaches", () => {
    const src = source();
    const body = new UpstreamBody(src);
    expect(body.push(Buffer.alloc(32 * 1024))).toBe(true);
    expect(body.push(Buffer.alloc(32 * 1024))).toBe(false);
    body.pipeTo(new RecordingSink());
    expect(src.calls).toEqual(["resume"]);
  });

  it("fails the sink when the upstream breaks mid-body, before or after it attached", () => {
    const early = new UpstreamBody(source());
    early.push(Buffer.from("part"));
    early.fail(new Error("reset"));
    const s1 = new RecordingSink();
    early.pipeTo(s1);
    expect(s1.failed?.message).toBe("reset");

    const late = new UpstreamBody(source());
    const s2 = new RecordingSink();
    late.pipeTo(s2);
    late.fail(new Error("reset"));
    expect(s2.failed?.message).toBe("reset");
    expect(s2.ended).toBe("open");
  });

  it("aborts the upstream once when abandoned, and ignores what arrives after", () => {
    const src = source();
    const body = new UpstreamBody(src);
    body.destroy(new Error("retried"));
    body.destroy(new Error("again"));
    expect(body.push(Buffer.from("late"))).toBe(true);
    body.end(undefined);
    expect(src.calls).toEqual(["abort retried"]);
    expect(body.finished).toBe(true);
    expect(body.complete).toBe(false);
  });

  it("runs every done callback once, whether the body ended, failed or was abandoned, and at once when already done", () => {
    for (const finish of [(b: UpstreamBody) => b.end(undefined), (b: UpstreamBody) => b.fail(new Error("x")), (b: UpstreamBody) => b.destroy()]) {
      const body = new UpstreamBody(source());
      const order: string[] = [];
      body.onDone(() => order.push("breaker"));
      body.onDone(() => order.push("endpoint"));
      body.onDone(() => order.push("timeout"));
      finish(body);
      finish(body);
      body.onDone(() => order.push("late"));
      expect(order).toEqual(["breaker", "endpoint", "timeout", "late"]);
    }
  });

  it("reads a body whole up to a limit, resetting the upstream past it", async () => {
    const whole = new UpstreamBody(source());
    whole.push(Buffer.from("abc"));
    whole.end(undefined);
    expect((await readUpstreamBody(whole, 10)).toString()).toBe("abc");

    const src = source();
    const capped = new UpstreamBody(src);
    const read = readUpstreamBody(capped, 4);
    capped.push(Buffer.from("abc"));
    capped.push(Buffer.from("def"));
    expect((await read).toString()).toBe("abc");
    await Promise.resolve();
    expect(src.calls[0]).toMatch(/^abort/);
  });
});
