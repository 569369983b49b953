import { Code } from "../../model/codes.ts";
import { describeEndpoint, type ConfigIndex, type Endpoint } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { isWildcardHost } from "../../mesh/hosts.ts";
import { formatLabels, isEmpty, selects } from "./labels.ts";

/**
 * SK2009 (Kiali KIA0203, Istio IST0173): a subset whose labels select none of the pods
 * behind its host. Routes to it find no endpoint and fail with 503 (UH). Only judged
 * when the input has workloads behind the host; otherwise SK2002 says the host is missing.
 */
export function subsetLabelsMatchNoWorkload(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  for (const dr of index.destinationRules) {
    if (!dr.spec.subsets || isWildcardHost(dr.host)) continue;
    const endpoints = index.endpointsBehind(dr.host);
    if (endpoints.length === 0) continue;
    dr.spec.subsets.forEach((s, i) => {
      if (isEmpty(s.labels) || endpoints.some((e) => selects(s.labels!, e.labels))) return;
      out.push(
        finding(
          dr.loaded,
          ["spec", "subsets", i, "labels"],
          "error",
          Code.subsetLabelsMatchNoWorkload,
          `subset "${s.name}" labels ${formatLabels(s.labels!)} match none of the workloads behind host ${dr.host}: ${describe(endpoints)}`,
        ),
      );
    });
  }
  return out;
}

function describe(endpoints: readonly Endpoint[]): string {
  const shown = endpoints.slice(0, 3).map((e) => `${describeEndpoint(e)} ${formatLabels(e.labels)}`);
  const more = endpoints.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}
