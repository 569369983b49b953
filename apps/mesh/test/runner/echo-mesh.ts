/**
 * A small mesh for the runner's tests: a client and two versions of `builtin:echo` behind
 * one service, with subsets and a VirtualService that sends everything to v1.
 */
import { request } from "undici";
import { sleep, type SkeinUp } from "./skein-up.ts";

export const ECHO_MESH = `apiVersion: skein.dev/v1alpha1
kind: Mesh
metadata: {name: echo}
spec:
  workloads:
  - name: client
    namespace: demo
    labels: {version: v1}
    run: builtin:echo
  - name: echo-v1
    namespace: demo
    serviceAccount: echo
    labels: {app: echo, version: v1}
    service: {name: echo, port: 8080}
    run: builtin:echo
  - name: echo-v2
    namespace: demo
    serviceAccount: echo
    labels: {app: echo, version: v2}
    service: {name: echo, port: 8080}
    run: builtin:echo
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: demo}
spec:
  host: echo
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo, namespace: demo}
spec:
  hosts: [echo]
  http:
  - route:
    - destination: {host: echo, subset: v1}
`;

export const STRICT_MTLS = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: demo}
spec:
  mtls: {mode: STRICT}
`;

/** The echo VirtualService sending all traffic to `subset`, optionally pinned to a resourceVersion. */
export function echoRoute(subset: string, resourceVersion?: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: echo
  namespace: demo${resourceVersion ? `\n  resourceVersion: "${resourceVersion}"` : ""}
spec:
  hosts: [echo]
  http:
  - route:
    - destination: {host: echo, subset: ${subset}}
`;
}

export interface EchoReply {
  workload: string;
  namespace: string;
  version: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * One request from `from`'s app to `http://echo:8080/`, through its sidecar's outbound
 * listener (what `skein curl` does, without starting a process): the answering version,
 * or `status N` / the error.
 */
export async function echoVersion(mesh: SkeinUp, from = "client"): Promise<string> {
  try {
    const r = await request(`http://127.0.0.1:${mesh.workload(from).ports.outbound}/`, { headers: { host: "echo:8080" }, signal: AbortSignal.timeout(5000) });
    const text = await r.body.text();
    return r.statusCode === 200 ? (JSON.parse(text) as EchoReply).version : `status ${r.statusCode}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

/** Sends `n` requests one after another and returns the answers. */
export async function echoVersions(mesh: SkeinUp, n: number, from = "client"): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await echoVersion(mesh, from));
  return out;
}

/**
 * Polls (bounded) until `n` consecutive requests are all answered as `accept` wants;
 * returns the answers seen last, so a failing assertion shows what traffic did.
 */
export async function untilTraffic(mesh: SkeinUp, accept: (answers: string[]) => boolean, o: { n?: number; timeoutMs?: number } = {}): Promise<string[]> {
  const until = Date.now() + (o.timeoutMs ?? 10_000);
  let answers: string[] = [];
  while (Date.now() < until) {
    answers = await echoVersions(mesh, o.n ?? 10);
    if (accept(answers)) return answers;
    await sleep(100);
  }
  return answers;
}

export const all = (v: string) => (answers: string[]) => answers.length > 0 && answers.every((a) => a === v);
