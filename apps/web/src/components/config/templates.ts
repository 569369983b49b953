import { renderYaml } from "@skein/shared/browser";

/**
 * Starting points for "Create": a small, valid resource of each kind the mesh acts on,
 * with the fields people change first. Names are placeholders the author replaces.
 */
export const TEMPLATE_KINDS = ["VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

const NETWORKING = "networking.istio.io/v1";
const SECURITY = "security.istio.io/v1";

function specFor(kind: TemplateKind): { apiVersion: string; name: string; spec: unknown } {
  switch (kind) {
    case "VirtualService":
      return {
        apiVersion: NETWORKING,
        name: "my-service",
        spec: { hosts: ["my-service"], http: [{ route: [{ destination: { host: "my-service", subset: "v1" }, weight: 100 }], timeout: "5s" }] },
      };
    case "DestinationRule":
      return {
        apiVersion: NETWORKING,
        name: "my-service",
        spec: { host: "my-service", trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } }, subsets: [{ name: "v1", labels: { version: "v1" } }] },
      };
    case "Gateway":
      return {
        apiVersion: NETWORKING,
        name: "my-gateway",
        spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["example.com"] }] },
      };
    case "ServiceEntry":
      return {
        apiVersion: NETWORKING,
        name: "external-api",
        spec: { hosts: ["api.example.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: [{ number: 443, name: "https", protocol: "TLS" }] },
      };
    case "PeerAuthentication":
      return { apiVersion: SECURITY, name: "default", spec: { mtls: { mode: "STRICT" } } };
    case "AuthorizationPolicy":
      return {
        apiVersion: SECURITY,
        name: "allow-get",
        spec: { selector: { matchLabels: { app: "my-service" } }, action: "ALLOW", rules: [{ to: [{ operation: { methods: ["GET"] } }] }] },
      };
    case "RequestAuthentication":
      return {
        apiVersion: SECURITY,
        name: "jwt",
        spec: { selector: { matchLabels: { app: "my-service" } }, jwtRules: [{ issuer: "https://issuer.example.com", jwksUri: "https://issuer.example.com/.well-known/jwks.json" }] },
      };
  }
}

export function isTemplateKind(kind: string): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}

export function templateYaml(kind: TemplateKind, namespace: string): string {
  const t = specFor(kind);
  return renderYaml({ apiVersion: t.apiVersion, kind, metadata: { name: t.name, namespace }, spec: t.spec });
}
