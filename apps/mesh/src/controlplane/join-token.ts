import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { createPrivateFile, readPrivateFile } from "./private-file.ts";

/**
 * The one workload a join token speaks for. The CA derives the SPIFFE ID from it
 * (namespace + service account) and the registry the workload's name, so a sidecar can
 * neither ask for another identity nor register as another workload.
 */
export interface JoinClaim {
  namespace: string;
  serviceAccount: string;
  workload: string;
}

export const JOIN_TOKEN_SECRET_FILE = "join-token.key";

const PREFIX = "skein-join.v1.";
const MAC_BYTES = 32;
// The parts end up in a SPIFFE ID path and in the `ns/sa/workload` principal, so they
// follow the SPIFFE segment rule and can never hold a "/".
const segmentRe = /^[A-Za-z0-9._-]{1,253}$/;

function validPart(s: unknown): s is string {
  return typeof s === "string" && segmentRe.test(s) && s !== "." && s !== "..";
}

export function isJoinClaim(c: Partial<JoinClaim>): c is JoinClaim {
  return validPart(c.namespace) && validPart(c.serviceAccount) && validPart(c.workload);
}

/** The router's principal for a sidecar call: `namespace/serviceAccount/workload`. */
export function principalOf(c: JoinClaim): string {
  return `${c.namespace}/${c.serviceAccount}/${c.workload}`;
}

export function claimOf(principal: string): JoinClaim | undefined {
  const [namespace, serviceAccount, workload, ...rest] = principal.split("/");
  const claim = { namespace, serviceAccount, workload };
  return rest.length === 0 && isJoinClaim(claim) ? claim : undefined;
}

/**
 * Join tokens: `skein-join.v1.<claim>.<mac>`, the claim base64url JSON and the mac its
 * HMAC-SHA256 under a secret only the control plane holds. Nothing is stored per token;
 * anyone holding the secret could mint any identity, so it lives in a 0600 file.
 */
export class JoinTokens {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error("join-token secret must be at least 32 bytes");
  }

  /** The secret from `<stateDir>/join-token.key`, created on first start. */
  static async open(stateDir: string): Promise<JoinTokens> {
    const path = join(stateDir, JOIN_TOKEN_SECRET_FILE);
    await createPrivateFile(path, randomBytes(32).toString("base64") + "\n");
    const secret = Buffer.from((await readPrivateFile(path)).trim(), "base64");
    if (secret.length < 32) throw new Error(`${path} does not hold a base64 secret of at least 32 bytes`);
    return new JoinTokens(secret);
  }

  mint(claim: JoinClaim): string {
    if (!isJoinClaim({ ...claim })) throw new Error(`cannot mint a join token for "${claim.namespace}/${claim.serviceAccount}/${claim.workload}": each part must be 1-253 letters, digits, ".", "_" or "-"`);
    const body = Buffer.from(JSON.stringify([claim.namespace, claim.serviceAccount, claim.workload])).toString("base64url");
    return `${PREFIX}${body}.${this.mac(body).toString("base64url")}`;
  }

  /** The claim of a genuine token; undefined for anything else, without saying why. */
  verify(token: string): JoinClaim | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const rest = token.slice(PREFIX.length);
    const dot = rest.indexOf(".");
    if (dot < 0) return undefined;
    const body = rest.slice(0, dot);
    const given = Buffer.from(rest.slice(dot + 1), "base64url");
    // Both sides are 32 bytes before the comparison, so timingSafeEqual never throws and
    // the time taken tells an attacker nothing about how much of the mac was right.
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(body))) return undefined;
    let parts: unknown;
    try {
      parts = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
    if (!Array.isArray(parts) || parts.length !== 3) return undefined;
    const claim = { namespace: parts[0] as unknown, serviceAccount: parts[1] as unknown, workload: parts[2] as unknown } as Partial<JoinClaim>;
    return isJoinClaim(claim) ? claim : undefined;
  }

  /** For the router's Authenticator: `Authorization: Bearer <token>` to the sidecar's principal. */
  authenticate(authorization: string | undefined): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const claim = m ? this.verify(m[1]!) : undefined;
    return claim ? principalOf(claim) : undefined;
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.secret).update(PREFIX).update(body).digest();
  }
}
