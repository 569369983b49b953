import { readFileSync } from "node:fs";

/** The workload's certificate, key and the mesh root, as PEM. */
export interface WorkloadCertificates {
  certPem: string;
  keyPem: string;
  rootPem: string;
}

/**
 * Where the sidecar's identity comes from: files given on the command line, or the
 * control plane's CA. Listeners and upstream pools read `current()` when they open a
 * connection and re-read it after `onRotate` fires, so rotation drops no request.
 */
export class IdentitySource {
  private certs: WorkloadCertificates | undefined;
  private readonly listeners = new Set<(c: WorkloadCertificates) => void>();

  constructor(initial?: WorkloadCertificates) {
    this.certs = initial;
  }

  static fromFiles(paths: { cert?: string; key?: string; rootCert?: string }): IdentitySource {
    if (!paths.cert && !paths.key && !paths.rootCert) return new IdentitySource();
    if (!paths.cert || !paths.key || !paths.rootCert) throw new Error("--cert, --key and --root-cert go together");
    return new IdentitySource({ certPem: readFileSync(paths.cert, "utf8"), keyPem: readFileSync(paths.key, "utf8"), rootPem: readFileSync(paths.rootCert, "utf8") });
  }

  current(): WorkloadCertificates | undefined {
    return this.certs;
  }

  rotate(next: WorkloadCertificates): void {
    this.certs = next;
    for (const l of this.listeners) l(next);
  }

  onRotate(listener: (c: WorkloadCertificates) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
