import type { LoadedResource } from "../load.ts";
import type { CrossFinding } from "./finding.ts";

export type { CrossFinding } from "./finding.ts";

/** Runs every cross-resource check over the resources that passed their schema. */
export function runCrossChecks(resources: readonly LoadedResource[]): CrossFinding[] {
  void resources;
  return [];
}
