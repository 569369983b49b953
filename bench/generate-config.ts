/**
 * A realistic mesh config: per app a Service, a Deployment per version, a DestinationRule
 * with subsets, a VirtualService splitting by weight with retries and a timeout, and an
 * AuthorizationPolicy.
 */
export function generateMeshConfig(resources: number): string {
  const docs: string[] = [];
  const perApp = 7; // Service, ServiceAccount, 2 Deployments, DR, VS, AP
  const apps = Math.ceil(resources / perApp);
  for (let i = 0; docs.length < resources && i < apps; i++) {
    const ns = `team-${i % 20}`;
    const app = `app-${i}`;
    const caller = `app-${i === 0 ? 1 : i - 1}`;
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    app: ${app}
  ports:
  - name: http
    port: 9080`);
    docs.push(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${app}
  namespace: ${ns}`);
    for (const v of ["v1", "v2"]) {
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}-${v}
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: ${app}, version: ${v}}
  template:
    metadata:
      labels: {app: ${app}, version: ${v}}
    spec:
      serviceAccountName: ${app}
      containers:
      - name: ${app}
        image: example/${app}:${v}`);
    }
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  host: ${app}
  trafficPolicy:
    connectionPool:
      http: {http1MaxPendingRequests: 100, maxRetries: 3}
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  hosts: [${app}]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: ${app}, subset: v2}
  - route:
    - destination: {host: ${app}, subset: v1}
      weight: 90
    - destination: {host: ${app}, subset: v2}
      weight: 10
    timeout: 10s
    retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,reset,connect-failure"}`);
    docs.push(`apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: ${app}}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/team-${(i === 0 ? 1 : i - 1) % 20}/sa/${caller}"]
    to:
    - operation: {methods: [GET], paths: ["/api/*"]}`);
  }
  return docs.slice(0, resources).join("\n---\n") + "\n";
}
