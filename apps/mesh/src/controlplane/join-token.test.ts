import { createHmac } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claimOf, JOIN_TOKEN_SECRET_FILE, JoinTokens, principalOf, type JoinClaim } from "./join-token.ts";

const reviews: JoinClaim = { namespace: "default", serviceAccount: "reviews", workload: "reviews-v1" };
const tokens = new JoinTokens(Buffer.alloc(32, 1));

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "skein-join-"));
  dirs.push(d);
  return d;
}

/** Flips one character of the part of the token that `pick` selects. */
function tamper(token: string, pick: "claim" | "mac"): string {
  const i = pick === "mac" ? token.length - 2 : "skein-join.v1.".length + 2;
  const c = token[i] === "A" ? "B" : "A";
  return token.slice(0, i) + c + token.slice(i + 1);
}

describe("JoinTokens", () => {
  it("verifies a token it minted back to its workload", () => {
    expect(tokens.verify(tokens.mint(reviews))).toEqual(reviews);
  });

  const other = new JoinTokens(Buffer.alloc(32, 2));
  const forgedClaim = (() => {
    const t = tokens.mint(reviews);
    const body = Buffer.from(JSON.stringify(["istio-system", "istiod", "istiod"])).toString("base64url");
    return `skein-join.v1.${body}.${t.slice(t.lastIndexOf(".") + 1)}`;
  })();
  it.each([
    ["a token minted with another secret", other.mint(reviews)],
    ["a token whose claim was edited", tamper(tokens.mint(reviews), "claim")],
    ["a token whose mac was edited", tamper(tokens.mint(reviews), "mac")],
    ["another claim under a genuine mac", forgedClaim],
    ["a token with its mac cut short", tokens.mint(reviews).slice(0, -4)],
    ["a token without a mac", tokens.mint(reviews).split(".").slice(0, -1).join(".")],
    ["a token of another format", "eyJhbGciOiJIUzI1NiJ9.e30.abc"],
    ["an empty string", ""],
  ])("refuses %s", (_label, token) => {
    expect(tokens.verify(token)).toBeUndefined();
  });

  it("refuses a genuine mac over a claim that is not three valid names", () => {
    // Signed with the same secret, the way mint signs, so only the claim check can refuse it.
    const forge = (parts: unknown) => {
      const body = Buffer.from(JSON.stringify(parts)).toString("base64url");
      const mac = createHmac("sha256", Buffer.alloc(32, 1)).update("skein-join.v1.").update(body).digest("base64url");
      return `skein-join.v1.${body}.${mac}`;
    };
    expect(tokens.verify(forge(["default", "reviews", "reviews-v1"]))).toEqual(reviews);
    expect(tokens.verify(forge(["default", "reviews"]))).toBeUndefined();
    expect(tokens.verify(forge(["default", "a/b", "x"]))).toBeUndefined();
    expect(tokens.verify(forge({ namespace: "default" }))).toBeUndefined();
  });

  it("refuses to mint for a name that could not be a SPIFFE path segment", () => {
    expect(() => tokens.mint({ ...reviews, serviceAccount: "a/b" })).toThrow(/each part must be/);
    expect(() => tokens.mint({ ...reviews, namespace: ".." })).toThrow(/each part must be/);
  });

  it("authenticates a Bearer header to the namespace/serviceAccount/workload principal", () => {
    const t = tokens.mint(reviews);
    expect(tokens.authenticate(`Bearer ${t}`)).toBe("default/reviews/reviews-v1");
    expect(tokens.authenticate(`bearer ${t}`)).toBe("default/reviews/reviews-v1");
    expect(tokens.authenticate(t)).toBeUndefined();
    expect(tokens.authenticate(undefined)).toBeUndefined();
    expect(claimOf(principalOf(reviews))).toEqual(reviews);
    expect(claimOf("default/reviews")).toBeUndefined();
  });
});

describe("JoinTokens.open", () => {
  it("creates the secret once, 0600, and finds it again after a restart", async () => {
    const dir = await stateDir();
    const first = await JoinTokens.open(dir);
    const path = join(dir, JOIN_TOKEN_SECRET_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const secret = await readFile(path, "utf8");
    const again = await JoinTokens.open(dir);
    expect(await readFile(path, "utf8")).toBe(secret);
    expect(again.verify(first.mint(reviews))).toEqual(reviews);
  });

  it("refuses a secret others can read", async () => {
    const dir = await stateDir();
    await JoinTokens.open(dir);
    await chmod(join(dir, JOIN_TOKEN_SECRET_FILE), 0o644);
    await expect(JoinTokens.open(dir)).rejects.toThrow(/accessible to group or others \(mode 0644\)/);
  });
});
