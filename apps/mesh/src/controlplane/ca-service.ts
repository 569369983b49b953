import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CaError,
  createRootCa,
  defaultWorkloadTtlMs,
  loadRootCa,
  readIdentity,
  signCsr,
  spiffeId,
  type Clock,
  type RootCa,
} from "@skein/shared";
import { wallClock } from "../proxy/clock.ts";
import type { JoinClaim } from "./join-token.ts";
import { createPrivateFile, exists, readPrivateFile } from "./private-file.ts";

export const ROOT_CERT_FILE = "root-cert.pem";
export const ROOT_KEY_FILE = "root-key.pem";

/** Istio's self-signed root lives ten years (citadel's default selfSignedCACertTTL). */
export const defaultRootTtlMs = 10 * 365 * 24 * 3600_000;

export interface CaServiceOptions {
  /** Where a generated root is kept (root-cert.pem, and root-key.pem with mode 0600). */
  stateDir: string;
  trustDomain?: string;
  /** An operator's own root (Istio's "plugged-in certs"), instead of a generated one. */
  rootCertFile?: string;
  rootKeyFile?: string;
  /** Lifetime of workload certificates; Istio's default is 24 h. */
  workloadTtlMs?: number;
  rootTtlMs?: number;
  /** Wall clock: certificate validity is absolute time. */
  clock?: Clock;
}

export interface IssuedCertificate {
  certificate: string;
  root: string;
  spiffeId: string;
  /** Milliseconds since the epoch. */
  notAfter: number;
}

/**
 * The mesh's certificate authority: holds the root and signs workload CSRs for the
 * identity a join token proved. The SPIFFE ID comes from the token, never from the CSR
 * (signCsr ignores what the CSR asks for), as Istio's CA signs for the caller's
 * authenticated identity.
 */
export class CaService {
  private constructor(
    private readonly root: RootCa,
    readonly workloadTtlMs: number,
    private readonly clock: Clock,
  ) {}

  static async open(options: CaServiceOptions): Promise<CaService> {
    const clock = options.clock ?? wallClock;
    const ttl = options.workloadTtlMs ?? defaultWorkloadTtlMs;
    if (!(ttl > 0)) throw new CaError(`workload certificate ttl must be positive, got ${ttl}ms`);
    const root = options.rootCertFile || options.rootKeyFile ? await suppliedRoot(options) : await generatedRoot(options, clock);
    return new CaService(root, ttl, clock);
  }

  get trustDomain(): string {
    return this.root.trustDomain;
  }

  get rootPem(): string {
    return this.root.certPem;
  }

  async sign(claim: JoinClaim, csrPem: string): Promise<IssuedCertificate> {
    const id = spiffeId(this.root.trustDomain, claim.namespace, claim.serviceAccount);
    const certificate = await signCsr(this.root, csrPem, { spiffeId: id, ttlMs: this.workloadTtlMs, clock: this.clock });
    return { certificate, root: this.root.certPem, spiffeId: id, notAfter: readIdentity(certificate).notAfter };
  }
}

async function suppliedRoot(options: CaServiceOptions): Promise<RootCa> {
  if (!options.rootCertFile || !options.rootKeyFile) throw new CaError("a supplied root needs both its certificate and its key file");
  const certPem = await readFile(options.rootCertFile, "utf8");
  const keyPem = await readPrivateFile(options.rootKeyFile);
  return loadRootCa(certPem, keyPem, options.trustDomain ? { trustDomain: options.trustDomain } : {});
}

/**
 * The root in the state directory, made on first start. The key is written before the
 * certificate, so a certificate on disk always has its key; a key alone (a crash in
 * between) is replaced by nothing: the operator has to look, since it may be in use.
 */
async function generatedRoot(options: CaServiceOptions, clock: Clock): Promise<RootCa> {
  const certPath = join(options.stateDir, ROOT_CERT_FILE);
  const keyPath = join(options.stateDir, ROOT_KEY_FILE);
  const trustDomain = options.trustDomain ?? "cluster.local";
  if (!(await exists(certPath))) {
    if (await exists(keyPath)) throw new CaError(`${keyPath} exists without ${certPath}: restore the certificate or remove both to generate a new root`);
    const fresh = await createRootCa({ trustDomain, ttlMs: options.rootTtlMs ?? defaultRootTtlMs, clock });
    // Whoever links the key first wins; a control plane that lost the race reads the winner's files.
    if (await createPrivateFile(keyPath, fresh.keyPem)) await createPrivateFile(certPath, fresh.certPem);
  }
  const keyPem = await readPrivateFile(keyPath);
  return loadRootCa(await readFile(certPath, "utf8"), keyPem, { trustDomain });
}
