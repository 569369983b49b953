/**
 * GET /api/graph/config — the Istio config that applies to a graph node: VirtualServices
 * and DestinationRules whose host is the node's service, PeerAuthentications and
 * AuthorizationPolicies whose selector picks its workloads, each with the validation
 * status the shared validator gives it over the stored config.
 *
 *   namespace  (required)
 *   app (+ version) | workload | service   — any of them, as the node names them; for an
 *              edge, the destination's names plus the service it was addressed to
 *
 * Answers AppliedConfigResponse (client/graph/api-types.ts). 400 names the bad field.
 */
import { requireViewer } from "@/server/auth";
import { appliedConfigFor } from "@/server/graph/applied-config";
import { parseNodeRefRequest } from "@/server/graph/graph-request";
import { ApiError, handle } from "@/server/http";

export async function GET(req: Request) {
  return handle(async () => {
    await requireViewer();
    const parsed = parseNodeRefRequest(new URL(req.url).searchParams);
    if (!parsed.ok) throw new ApiError(400, "BadRequest", `${parsed.field}: ${parsed.message}`, { field: parsed.field });
    return appliedConfigFor(parsed.value);
  });
}
