/** Milliseconds as Istio writes durations: 5s, 250ms, 1m30s. */
export function formatMs(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 60_000) return `${Math.floor(ms / 60_000)}m${formatMs(ms % 60_000)}`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return ms > 1000 ? `${(ms / 1000).toFixed(3).replace(/0+$/, "")}s` : `${ms}ms`;
}

/** Envoy writes "unlimited" limits as 2^32-1. */
export function formatLimit(n: number): string {
  return n >= 4294967295 ? "unlimited" : String(n);
}

export function formatPercent(chance: number): string {
  const p = chance * 100;
  return `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
}
