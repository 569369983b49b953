/**
 * Node/V8 options every sidecar process is started with (`skein up`, the proxy bench):
 * `node <SIDECAR_NODE_OPTIONS> skein.mjs proxy ...`. Measured with two sidecars and mTLS
 * on this machine (bench/proxy-ab.ts), peak RSS per sidecar under load:
 *
 * - `--max-semi-space-size=4`: V8 sizes the young generation for a browser tab and grows
 *   it to two 16 MB semi-spaces under load, which for a sidecar (live heap ~16 MB, a
 *   request's garbage dead when it ends) hold nothing but garbage: 32 MB of RSS. Two
 *   4 MB semi-spaces save ~20 MB and cost ~10% more CPU at maximum throughput (more
 *   scavenges; requests in flight get promoted); CPU per request at 1,000 req/s did not
 *   move. 2 MB was worse on both: so many in-flight requests were promoted that the old
 *   generation grew by more than the young one shrank.
 * - `--max-old-space-size=1024`: after each full GC V8 lets the old generation grow to
 *   up to 4x the live heap before the next, when the process has a large limit (by
 *   default a quarter of the machine's memory); at 1 GB the factor is at most 1.6. The
 *   server sidecar's old generation reached 35-42 MB over a 16 MB live heap; with it,
 *   ~23 MB, for 3 full GCs instead of 1 in 7 s at maximum throughput. 1 GB is also what
 *   Istio gives a sidecar by default (istio-proxy's memory limit, 1024Mi).
 * - `--no-wasm-tier-up --no-wasm-dynamic-tiering`: undici parses HTTP/1.1 with llhttp
 *   compiled to WebAssembly; when its parser gets hot, V8 recompiles it with TurboFan,
 *   which took ~30 MB for ~200 ms at the start of every load (the RSS peak of the whole
 *   run). Its baseline (Liftoff) code stays: llhttp was ~1.5% of a sidecar's CPU.
 *
 * They must be on the command line: V8 reads its heap sizes when the process starts, and
 * `v8.setFlagsFromString("--max-semi-space-size=...")` in a running process has no effect
 * (tried); NODE_OPTIONS is inherited by every process started under it, command-line
 * options are not. A sidecar started without them works the same, with V8's defaults.
 */
export const SIDECAR_NODE_OPTIONS: readonly string[] = ["--max-semi-space-size=4", "--max-old-space-size=1024", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering"];
