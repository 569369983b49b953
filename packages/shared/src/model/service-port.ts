import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, portNumber, report, uint32 } from "./common.ts";
import { isIstioDns1123Label } from "./dns-label.ts";

/** Istio's protocol names (pkg/config/protocol), matched without regard to case as Istio does. */
export const PROTOCOLS = ["HTTP", "HTTPS", "GRPC", "GRPC-Web", "HTTP2", "HTTP_PROXY", "TCP", "TLS", "UDP", "Mongo", "Redis", "MySQL"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function parseProtocol(name: string): Protocol | undefined {
  const lower = name.toLowerCase();
  return PROTOCOLS.find((p) => p.toLowerCase() === lower);
}

/** Protocols Istio routes by Host header (protocol.IsHTTP). */
export function isHttpProtocol(name: string | undefined): boolean {
  const p = name === undefined ? undefined : parseProtocol(name);
  return p === "HTTP" || p === "HTTP2" || p === "HTTP_PROXY" || p === "GRPC" || p === "GRPC-Web";
}

/** Protocols Istio routes by SNI (protocol.IsTLS). */
export function isTlsProtocol(name: string | undefined): boolean {
  const p = name === undefined ? undefined : parseProtocol(name);
  return p === "HTTPS" || p === "TLS";
}

/** Istio's ValidatePortName: a port name is a DNS-1123 label. */
export function portNameError(name: string): string | undefined {
  return isIstioDns1123Label(name) ? undefined : `invalid port name: ${name}`;
}

const portName = z.string().superRefine((name, ctx) => {
  const err = portNameError(name);
  if (err) report(ctx, Code.invalidName, err);
});

/** An empty protocol is allowed: Istio then sniffs the protocol from the traffic. */
const sniffableProtocol = z.string().superRefine((p, ctx) => {
  if (p !== "" && !parseProtocol(p)) {
    report(ctx, Code.unknownEnumValue, `unsupported protocol: ${p} (expected one of ${PROTOCOLS.join(", ")})`);
  }
});

/** ServiceEntry's `ServicePort`: name and number are required, protocol may be left to sniffing. */
export const servicePort = obj({
  number: portNumber,
  protocol: sniffableProtocol.optional(),
  name: portName,
  targetPort: portNumber.optional(),
});

export type ServicePort = z.infer<typeof servicePort>;

/**
 * Istio's `Port` message, as a Gateway server declares it: number, protocol and name are
 * required. It carries no object-level refinement so a Gateway can `.extend()` it (a
 * server bound to a unix socket takes number 0). `targetPort` is deprecated and has no
 * effect on gateways.
 */
export const port = obj({
  number: portNumber,
  protocol: z.string().superRefine((p, ctx) => {
    if (!parseProtocol(p)) report(ctx, Code.unknownEnumValue, `invalid protocol "${p}", supported protocols are ${PROTOCOLS.join(", ")}`);
  }),
  name: z.string().superRefine((name, ctx) => {
    if (name === "") report(ctx, Code.emptyValue, "port name must be set");
  }),
  targetPort: uint32.optional(),
});

export type Port = z.infer<typeof port>;
