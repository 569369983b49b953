export type * from "./types.ts";
export { GRAPH_TYPES, GRAPH_WINDOWS } from "./types.ts";
export { graphQueries, EDGE_LABELS, REQUEST_GROUP_BY, TCP_GROUP_BY, LATENCY_GROUP_BY, RESPONSE_TIME_QUANTILE } from "./graph-queries.ts";
export { buildGraph } from "./build-graph.ts";
export { DEFAULT_TOLERANCES, requestHealth, thresholdStatus, type Tolerance } from "./health.ts";
export { parseFindHide, hideGraph, type FindHideMatcher, type FindHideError, type FindHideParse } from "./find-hide.ts";
