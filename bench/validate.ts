import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { validateSources } from "@skein/shared";
import type { BenchCase } from "./types.ts";
import { generateMeshConfig } from "./generate-config.ts";

const RESOURCES = 10_000;
const RUNS = 7;

export const validateBench: BenchCase = {
  name: "validate",
  description: `validate ${RESOURCES.toLocaleString("en")} generated resources (YAML text) in one call`,
  async run() {
    const text = generateMeshConfig(RESOURCES);
    // One warm-up run so the JIT has seen the schemas, as in a long-lived control plane;
    // the cold run is reported too, as the CLI sees it.
    const cold = time(() => validateSources([{ file: "bench.yaml", text }]));
    if (cold.report.errors > 0) throw new Error(`generated config has ${cold.report.errors} errors: ${JSON.stringify(cold.report.files[0]?.diagnostics.slice(0, 3))}`);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(time(() => validateSources([{ file: "bench.yaml", text }])).ms);
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    const count = cold.report.resources.length;
    return {
      name: "validate",
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      metrics: [
        { name: "resources", value: count, unit: "count" },
        { name: "yaml bytes", value: text.length, unit: "bytes" },
        { name: "cold run", value: cold.ms, unit: "ms" },
        { name: `median of ${RUNS} warm runs`, value: median, unit: "ms" },
        { name: "fastest warm run", value: samples[0]!, unit: "ms" },
        { name: "throughput (median)", value: Math.round((count / median) * 1000), unit: "resources/s" },
        { name: "warnings reported", value: cold.report.warnings, unit: "count" },
      ],
      targets: [{ name: `${RESOURCES} resources in under 1 s (cold)`, measured: `${cold.ms.toFixed(0)} ms`, met: cold.ms < 1000 }],
    };
  },
};

function time<T>(f: () => T): { report: T; ms: number } {
  const start = performance.now();
  const report = f();
  return { report, ms: performance.now() - start };
}
