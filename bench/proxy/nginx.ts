// nginx as the reference proxy, in the sidecars' two-hop topology: front (plain HTTP in)
// proxies over mutual TLS to back, which proxies plain HTTP to the app. Each instance
// runs with its own config, pid file, logs and temp dirs under the bench's temp dir, one
// worker each (one sidecar is one Node thread), and keep-alive on every hop.
import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { accepting, childPids, freePort, startProcess, type Started } from "./processes.ts";
import type { BenchCerts } from "./sidecars.ts";

/** The nginx binary, installed from Debian when missing and we are root; else why not. */
export function findOrInstallNginx(log: (line: string) => void): { path: string } | { skipped: string } {
  const found = whichNginx();
  if (found) return { path: found };
  if (process.getuid?.() !== 0) return { skipped: "nginx is not installed and this is not root: run `apt-get install -y nginx` to get the nginx rows" };
  log("nginx not found: apt-get install -y nginx");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "nginx"], { env, stdio: ["ignore", "ignore", "pipe"] });
  try {
    install();
  } catch {
    try {
      log("apt-get install failed; apt-get update, then again");
      execFileSync("apt-get", ["update"], { env, stdio: ["ignore", "ignore", "pipe"] });
      install();
    } catch (e) {
      return { skipped: `apt-get install -y nginx failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split("\n").slice(-2).join(" ")}` };
    }
  }
  return whichNginx() ? { path: whichNginx()! } : { skipped: "apt-get installed nginx but no nginx binary was found" };
}

function whichNginx(): string | undefined {
  // Debian puts it in /usr/sbin, which a non-login PATH may lack.
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin"];
  for (const d of dirs) {
    const p = join(d, "nginx");
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface NginxInstance {
  master: Started;
  /** The worker does the proxying; the master only supervises. */
  worker: number;
}

export interface NginxPair {
  front: NginxInstance;
  back: NginxInstance;
  port: number;
  stop(): Promise<void>;
}

export async function startNginxPair(nginx: string, dir: string, certs: BenchCerts, appPort: number): Promise<NginxPair> {
  const backPort = await freePort();
  const frontPort = await freePort();
  // back: terminates mutual TLS (client certificates must chain to the mesh root), then the app.
  const back = await startInstance(nginx, join(dir, "nginx-back"), backPort, `
    upstream app { server 127.0.0.1:${appPort}; keepalive 64; keepalive_requests 1000000; }
    server {
      listen 127.0.0.1:${backPort} ssl;
      ssl_certificate ${certs.server.cert};
      ssl_certificate_key ${certs.server.key};
      ssl_client_certificate ${certs.root};
      ssl_verify_client on;
      location / {
        proxy_pass http://app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Client-Verify $ssl_client_verify;
      }
    }`);
  try {
    // front: plain HTTP in, mutual TLS out. proxy_ssl_verify stays off: nginx checks the
    // peer's name against a DNS SAN or CN (X509_check_host) whenever it verifies, and mesh
    // certificates carry only the SPIFFE URI SAN, so verification on fails every handshake.
    // The check happens once per connection; with keep-alive it costs nothing measurable.
    const front = await startInstance(nginx, join(dir, "nginx-front"), frontPort, `
      upstream back { server 127.0.0.1:${backPort}; keepalive 64; keepalive_requests 1000000; }
      server {
        listen 127.0.0.1:${frontPort};
        location / {
          proxy_pass https://back;
          proxy_http_version 1.1;
          proxy_set_header Connection "";
          proxy_ssl_certificate ${certs.client.cert};
          proxy_ssl_certificate_key ${certs.client.key};
          proxy_ssl_trusted_certificate ${certs.root};
          proxy_ssl_verify off;
          proxy_ssl_session_reuse on;
        }
      }`);
    return { front, back, port: frontPort, stop: () => Promise.all([front.master.stop(), back.master.stop()]).then(() => undefined) };
  } catch (e) {
    await back.master.stop();
    throw e;
  }
}

async function startInstance(nginx: string, prefix: string, port: number, http: string): Promise<NginxInstance> {
  mkdirSync(join(prefix, "temp"), { recursive: true });
  const conf = join(prefix, "nginx.conf");
  const temp = (name: string) => `${name}_temp_path ${join(prefix, "temp", name)};`;
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 600s;
  keepalive_requests 1000000;
  ${temp("client_body")} ${temp("proxy")} ${temp("fastcgi")} ${temp("uwsgi")} ${temp("scgi")}
${http}
}
`,
  );
  const base = ["-p", prefix, "-c", conf, "-e", join(prefix, "error.log")];
  try {
    execFileSync(nginx, [...base, "-t", "-q"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    throw new Error(`nginx rejected ${conf}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`, { cause: e });
  }
  const master = await startProcess(`nginx ${prefix}`, { command: nginx, args: base, ready: () => accepting(port) });
  let workers = childPids(master.pid);
  for (let i = 0; i < 40 && workers.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    workers = childPids(master.pid);
  }
  if (workers.length !== 1) {
    await master.stop();
    throw new Error(`nginx ${prefix}: expected one worker process, found ${workers.length}`);
  }
  return { master, worker: workers[0]! };
}
