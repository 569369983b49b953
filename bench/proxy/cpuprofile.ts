// A small reader for V8 .cpuprofile files (what `node --cpu-prof` writes): self time by
// function and by where the code lives (Skein, undici, Node's http/net/tls, GC, ...),
// and inclusive time of Skein's own functions, so a profile can be read in a terminal.
// V8 samples on a wall-clock timer: when the thread is preempted inside a native call
// (a socket write that wakes the peer on loopback is the usual place), the wait is
// charged to that call. On a busy machine, read writev/writeLatin1String as "CPU or
// waiting for it"; /proc's user/system split and perf are the CPU-exact views.
// Frames in the prebuilt sidecar bundle are traced back to their source files through
// the bundle's source map (scripts/build-sidecar.mjs writes it beside the bundle).
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  /** Share of the non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time with the thread busy (idle excluded), ms. */
  busyMs: number;
  idleMs: number;
  /** Self time by kind: Skein's code, npm packages, Node's JS, native, GC. */
  groups: TimeShare[];
  /** Self time by function, largest first. */
  functions: TimeShare[];
  /** Self time by where the code lives, largest first. */
  categories: TimeShare[];
  /** Inclusive time of the repository's own functions (apps/, packages/), largest first. */
  ownInclusive: TimeShare[];
}

const REPO_CODE = /\/(apps|packages)\/[^/]+\/src\//;

/** Where a frame's code lives; the buckets a proxy's CPU splits into. */
export function categoryOf(f: CallFrame): string {
  const { url, functionName } = f;
  if (url === "") {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(program)") return "native, outside JS (event loop, TLS records, syscalls)";
    if (functionName === "(idle)") return "idle";
    return "native called from JS (writev, crypto, ...; includes preemption)";
  }
  // undici parses HTTP/1.1 with llhttp compiled to WebAssembly.
  if (url.startsWith("wasm://")) return "npm: undici (llhttp wasm)";
  const repo = url.match(REPO_CODE);
  if (repo) return `skein: ${url.slice(url.indexOf(repo[0]) + 1).replace(/^(apps|packages)\/([^/]+)\/src\//, "$2/")}`;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return `npm: ${pkg[1]}`;
  if (url.startsWith("node:")) {
    const m = url.match(/^node:(?:internal\/)?([a-z_0-9]+)/);
    const area = m?.[1] ?? url;
    if (/^_?http|^http/.test(area)) return "node: http";
    if (/^_?tls|^tls/.test(area) || url.includes("/tls/")) return "node: tls";
    if (area === "net" || url.includes("stream_base_commons")) return "node: net (socket reads/writes)";
    if (area === "streams" || area.startsWith("_stream")) return "node: streams";
    if (area === "process" || area === "timers" || area === "async_hooks") return "node: event loop (ticks, timers)";
    return `node: ${area}`;
  }
  return url;
}

function frameName(f: CallFrame): string {
  const file = f.url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(apps|packages)\//, "$1/").replace(/^node:internal\//, "node:");
  // tsx hands V8 one-line modules, so a line number in Skein's own files says nothing.
  const line = REPO_CODE.test(f.url) ? "" : `:${f.lineNumber + 1}`;
  return `${f.functionName || "(anonymous)"}${file ? ` ${file}${line}` : ""}`;
}

/** The part of the profile to read, in ms since the profile started (≈ process start). */
export interface ProfileWindow {
  fromMs: number;
  toMs: number;
}

/** Self time by kind, from a category name. */
function groupOf(category: string): string {
  if (category.startsWith("skein:")) return "Skein's code (apps/, packages/)";
  if (category.startsWith("npm:")) return "npm packages (undici, prom-client, ...)";
  if (category.startsWith("node:")) return "Node's JS (http, streams, tls, events, ...)";
  if (category === "GC") return "GC";
  return category;
}

const sourceMaps = new Map<string, SourceMap | undefined>();

/** The source map written beside a bundle (`<file>.map`), if the frame's script has one. */
function sourceMapOf(url: string): SourceMap | undefined {
  if (!url.startsWith("file://") || !url.endsWith(".mjs")) return undefined;
  if (!sourceMaps.has(url)) {
    const file = `${fileURLToPath(url)}.map`;
    sourceMaps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, "utf8"))) : undefined);
  }
  return sourceMaps.get(url);
}

/** A bundle frame as the source file and line it was built from; other frames as they are. */
export function originalFrame(f: CallFrame): CallFrame {
  const map = sourceMapOf(f.url);
  if (!map) return f;
  const entry = map.findEntry(f.lineNumber, f.columnNumber ?? 0) as { originalSource?: string; originalLine?: number };
  if (entry.originalSource === undefined) return f;
  return { functionName: f.functionName, url: new URL(entry.originalSource, f.url).href, lineNumber: entry.originalLine ?? 0 };
}

export function summarizeProfile(path: string, window?: ProfileWindow, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    n.callFrame = originalFrame(n.callFrame);
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const categories = new Map<string, number>();
  const groups = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    // A sample's delta is the time until it was taken; attributing it to the sample is V8's own convention.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    at += ms;
    if (window && (at < window.fromMs || at > window.toMs)) continue;
    const category = categoryOf(node.callFrame);
    if (category === "idle") {
      idle += ms;
      continue;
    }
    busy += ms;
    add(self, frameName(node.callFrame), ms);
    add(categories, category, ms);
    add(groups, groupOf(category), ms);
    // Inclusive: every distinct own function on the stack gets the sample once (recursion-safe).
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (!REPO_CODE.test(f.url)) continue;
      const name = frameName(f);
      if (seen.has(name)) continue;
      seen.add(name);
      add(inclusive, name, ms);
    }
  }
  const ranked = (m: Map<string, number>, n: number): TimeShare[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, percent: busy > 0 ? (100 * ms) / busy : 0 }));
  return { busyMs: busy, idleMs: idle, groups: ranked(groups, 10), functions: ranked(self, top), categories: ranked(categories, 20), ownInclusive: ranked(inclusive, top) };
}

/** The summary as text: three short tables. */
export function formatProfileSummary(title: string, s: ProfileSummary): string {
  const rows = (list: TimeShare[]) => list.map((t) => `  ${t.percent.toFixed(1).padStart(5)}%  ${t.ms.toFixed(0).padStart(6)} ms  ${t.name}`).join("\n");
  return [
    `${title}: ${(s.busyMs / 1000).toFixed(2)} s busy, ${(s.idleMs / 1000).toFixed(2)} s idle`,
    " self time by kind:",
    rows(s.groups),
    " self time by area:",
    rows(s.categories),
    " self time by function:",
    rows(s.functions),
    " inclusive time of Skein's functions:",
    rows(s.ownInclusive),
  ].join("\n");
}
