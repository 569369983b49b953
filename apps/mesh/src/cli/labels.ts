import { UsageError } from "./usage.ts";

/** Parses `k=v,k2=v2` as given to --labels. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UsageError(`--labels wants k=v pairs separated by commas, not "${part}"`);
    labels[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return labels;
}
