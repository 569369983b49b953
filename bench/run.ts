// `npm run bench [-- CASE ...]`: runs the named cases (all by default), prints a table and
// writes each case's result as JSON to bench/results/<case>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { convergenceBench } from "./convergence.ts";
import { graphBench } from "./graph.ts";
import { proxyBench } from "./proxy.ts";
import { validateBench } from "./validate.ts";
import type { BenchCase, BenchResult } from "./types.ts";

const CASES: BenchCase[] = [validateBench, proxyBench, convergenceBench, graphBench];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !CASES.some((c) => c.name === w));
if (unknown.length > 0) {
  console.error(`unknown bench case(s): ${unknown.join(", ")}; known: ${CASES.map((c) => c.name).join(", ")}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
const outDir = join(import.meta.dirname, "results");
mkdirSync(outDir, { recursive: true });

const results: BenchResult[] = [];
for (const c of selected) {
  console.log(`\n== ${c.name}: ${c.description}`);
  const result = await c.run();
  results.push(result);
  writeFileSync(join(outDir, `${c.name}.json`), JSON.stringify(result, null, 2) + "\n");
  printTable(result);
}
const failed = results.filter((r) => r.targets.some((t) => !t.met));
console.log(`\n${results.length} case(s); ${failed.length === 0 ? "all targets met" : `targets missed in: ${failed.map((f) => f.name).join(", ")}`}`);
console.log(`results written to ${outDir}`);

function printTable(r: BenchResult): void {
  const rows = [["metric", "value", "unit"], ...r.metrics.map((m) => [m.name, formatNumber(m.value), m.unit])];
  printRows(rows);
  if (r.targets.length > 0) {
    console.log("");
    printRows([["target", "measured", "met"], ...r.targets.map((t) => [t.name, t.measured, t.met ? "yes" : "NO"])]);
  }
}

function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, j) => cell.padEnd(widths[j]!)).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1);
}
