import "server-only";
import type { GraphResponse } from "@/client/graph/api-types";
import { ApiError } from "../http";
import { graphFor } from "./fetch-graph";
import { parseGraphRequest } from "./graph-request";

/** Parses the query (400 naming the field on failure) and returns the graph. */
export async function fetchGraphOr400(params: URLSearchParams): Promise<GraphResponse> {
  const parsed = parseGraphRequest(params);
  if (!parsed.ok) throw new ApiError(400, "BadRequest", `${parsed.field}: ${parsed.message}`, { field: parsed.field });
  return graphFor(parsed.value);
}
