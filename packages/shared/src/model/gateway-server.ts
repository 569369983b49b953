import * as z from "zod";
import { Code } from "./codes.ts";
import { isIp, obj, report, uint32 } from "./common.ts";
import { gatewayHostErrors } from "./gateway-host.ts";
import { isPassthroughTls, serverTlsSettings } from "./server-tls-settings.ts";
import { isHttpProtocol, isTlsProtocol, parseProtocol, port } from "./service-port.ts";

const UNIX_PREFIX = "unix://";

/**
 * Istio's networking `Port` as a Gateway server uses it. The range check lives on the
 * server, because a server bound to a Unix socket listens on port 0.
 */
export const serverPort = port.extend({ number: uint32 });

export type ServerPort = z.infer<typeof serverPort>;

/** Istio's ValidateUnixAddress, for the part after `unix://`. */
function unixAddressError(path: string): string | undefined {
  if (path === "") return "unix address must not be empty";
  // Linux abstract sockets start with @ and have no file.
  if (path.startsWith("@")) return undefined;
  if (!path.startsWith("/") || path.endsWith("/")) return `${path} is not an absolute path to a file`;
  return undefined;
}

/**
 * The range part of Istio's validateServerPort (the port schema reports protocol and
 * name). Returns false when the port is unusable, as Istio then skips the TLS checks.
 */
function checkPort(declared: ServerPort, bind: string | undefined, ctx: z.RefinementCtx): boolean {
  let ok = parseProtocol(declared.protocol) !== undefined && declared.name !== "";
  if ((declared.number > 0 || !bind?.startsWith(UNIX_PREFIX)) && (declared.number < 1 || declared.number > 65535)) {
    report(ctx, Code.invalidPort, `port number ${declared.number} must be in the range 1..65535`, ["port", "number"]);
    ok = false;
  }
  if (declared.targetPort !== undefined && declared.targetPort > 0) {
    report(ctx, Code.invalidValue, "targetPort has no impact on Gateways", ["port", "targetPort"]);
    ok = false;
  }
  return ok;
}

/** Istio's validateServerBind: an IP address, or a Unix socket with port number 0. */
function checkBind(bind: string | undefined, declared: ServerPort, ctx: z.RefinementCtx): void {
  if (!bind) return;
  if (bind.startsWith(UNIX_PREFIX)) {
    const err = unixAddressError(bind.slice(UNIX_PREFIX.length));
    if (err) report(ctx, Code.invalidAddress, err, ["bind"]);
    if (declared.number !== 0) report(ctx, Code.invalidPort, `port number must be 0 for unix domain socket (found ${declared.number})`, ["port", "number"]);
  } else if (!isIp(bind)) {
    report(ctx, Code.invalidAddress, `${bind} is not a valid IP`, ["bind"]);
  }
}

/** Istio's Server: one listener of a gateway, with its hosts and TLS. */
export const gatewayServer = obj({
  port: serverPort,
  bind: z.string().optional(),
  hosts: z.array(z.string()).optional(),
  tls: serverTlsSettings.optional(),
  defaultEndpoint: z.string().optional(),
  name: z.string().optional(),
}).superRefine((server, ctx) => {
  if (!server.hosts || server.hosts.length === 0) {
    report(ctx, Code.requiredField, "server config must contain at least one host", ["hosts"]);
  }
  server.hosts?.forEach((host, i) => {
    for (const err of gatewayHostErrors(host)) report(ctx, Code.invalidHost, err, ["hosts", i]);
  });
  const portOk = checkPort(server.port, server.bind, ctx);
  checkBind(server.bind, server.port, ctx);
  if (!portOk) return;

  const protocol = server.port.protocol;
  if (isTlsProtocol(protocol) && !server.tls) {
    report(ctx, Code.requiredField, `server must have TLS settings for HTTPS/TLS protocols (port ${server.port.name} is ${server.port.protocol})`, []);
  } else if (!isTlsProtocol(protocol) && server.tls) {
    if (!isHttpProtocol(protocol)) {
      report(ctx, Code.invalidValue, "server cannot have TLS settings for non HTTPS/TLS ports", ["tls"]);
    } else if (!isPassthroughTls(server.tls) || server.tls.caCertificates || server.tls.privateKey || server.tls.serverCertificate) {
      // A plain HTTP server may only say httpsRedirect.
      report(ctx, Code.invalidValue, "server cannot have TLS settings for plain text HTTP ports (only tls.httpsRedirect is allowed)", ["tls"]);
    }
  }
});

export type GatewayServer = z.infer<typeof gatewayServer>;
