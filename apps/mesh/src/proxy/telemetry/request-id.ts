/**
 * x-request-id, as Envoy's HTTP connection manager handles it in a sidecar: keep the id a
 * request arrives with (the app forwards it, so the hops of one call share it in logs and
 * traces) and generate a UUID v4 when there is none.
 */
import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/** Node's IncomingHttpHeaders shape: lower-case names. */
export type HeaderMap = Record<string, string | string[] | undefined>;

/**
 * Returns the request's id, writing a generated one into `headers` when it had none.
 * A repeated header keeps its first non-empty value.
 */
export function ensureRequestId(headers: HeaderMap, generate: () => string = randomUUID): string {
  const present = headers[REQUEST_ID_HEADER];
  if (typeof present === "string" && present !== "") return present;
  if (Array.isArray(present)) {
    const first = present.find((v) => v !== "");
    if (first !== undefined) {
      headers[REQUEST_ID_HEADER] = first;
      return first;
    }
  }
  const id = generate();
  headers[REQUEST_ID_HEADER] = id;
  return id;
}
