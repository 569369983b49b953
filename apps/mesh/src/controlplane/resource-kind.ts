import { ISTIO_KINDS } from "@skein/shared";
import { HttpError } from "./http.ts";

/** kubectl's short names for the Istio CRDs (from their `shortNames`). */
const SHORT_NAMES: Record<string, string> = {
  vs: "VirtualService",
  dr: "DestinationRule",
  gw: "Gateway",
  se: "ServiceEntry",
  pa: "PeerAuthentication",
  ap: "AuthorizationPolicy",
  ra: "RequestAuthentication",
};

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/**
 * The kind the store keeps under `name`, accepting what kubectl accepts: the kind in any
 * case, its plural resource name and its short name ("VirtualService", "virtualservices",
 * "vs"). Only the kinds Skein models are stored, so anything else is a 400.
 */
export function resolveKind(name: string): string {
  const lower = name.toLowerCase();
  const found = ISTIO_KINDS.find((k) => k.kind.toLowerCase() === lower || plural(k.kind) === lower) ?? ISTIO_KINDS.find((k) => k.kind === SHORT_NAMES[lower]);
  if (!found) throw new HttpError(400, "UnknownKind", `unknown kind "${name}": the store keeps ${ISTIO_KINDS.map((k) => k.kind).join(", ")}`);
  return found.kind;
}
