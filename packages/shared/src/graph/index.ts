export type * from "./types.ts";
export { GRAPH_TYPES, GRAPH_WINDOWS, GRAPH_BADGES } from "./types.ts";
export { graphQueries, EDGE_LABELS, REQUEST_GROUP_BY, TCP_GROUP_BY, LATENCY_GROUP_BY, RESPONSE_TIME_QUANTILE } from "./graph-queries.ts";
export { buildGraph } from "./build-graph.ts";
export { DEFAULT_TOLERANCES, requestHealth, thresholdStatus, type Tolerance } from "./health.ts";
export { parseFindHide, hideGraph, type FindHideMatcher, type FindHideError, type FindHideParse } from "./find-hide.ts";
export { hopsFor, nodeFor, type NodeInfo } from "./node-id.ts";
export { edgeId } from "./edge-stats.ts";
export {
  addGraphBadges,
  appliedConfig,
  nodeBadges,
  nodeRef,
  nodeScope,
  serviceHost,
  type AppliedConfig,
  type ConfigResource,
  type NodeRef,
  type NodeScope,
  type RegistryWorkload,
} from "./node-config.ts";
export { responseKey } from "./series.ts";
