import { stringify } from "yaml";

/**
 * A value as YAML the way the control plane stores and shows it (`skein get -o yaml`):
 * no line folding, and written as YAML 1.1 so that strings a 1.1 reader would take for
 * something else ("2024-01-01", "on") are quoted. Text rendered here diffs cleanly
 * against the store's own revisions.
 */
export function renderYaml(value: unknown): string {
  return value === null || value === undefined ? "" : stringify(value, { lineWidth: 0, version: "1.1" });
}
