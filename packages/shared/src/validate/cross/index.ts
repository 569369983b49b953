import type { LoadedResource } from "../load.ts";
import { ConfigIndex } from "./config-index.ts";
import { duplicateSubset } from "./duplicate-subset.ts";
import { duplicateVirtualServiceHost } from "./duplicate-virtual-service-host.ts";
import type { CrossCheck, CrossFinding } from "./finding.ts";
import { gatewayNotFound } from "./gateway-not-found.ts";
import { hostNotFound } from "./host-not-found.ts";
import { principalNotFound } from "./principal-not-found.ts";
import { selectorMatchesNoWorkload } from "./selector-matches-no-workload.ts";
import { subsetLabelsMatchNoWorkload } from "./subset-labels-match-no-workload.ts";
import { subsetNotFound } from "./subset-not-found.ts";
import { tlsConflictsWithPeerAuthentication } from "./tls-conflicts-with-peer-authentication.ts";

export type { CrossFinding } from "./finding.ts";

/** The checks in code order (docs/validation.md describes each). */
const CHECKS: readonly CrossCheck[] = [
  subsetNotFound,
  hostNotFound,
  duplicateSubset,
  duplicateVirtualServiceHost,
  tlsConflictsWithPeerAuthentication,
  principalNotFound,
  gatewayNotFound,
  selectorMatchesNoWorkload,
  subsetLabelsMatchNoWorkload,
];

/** Runs every cross-resource check over the resources that passed their schema. */
export function runCrossChecks(resources: readonly LoadedResource[]): CrossFinding[] {
  const index = new ConfigIndex(resources);
  return CHECKS.flatMap((check) => check(index));
}
