import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCsr, createRootCa, readIdentity } from "@skein/shared";
import { CaService, ROOT_CERT_FILE, ROOT_KEY_FILE } from "./ca-service.ts";

const t0 = Date.UTC(2030, 0, 1);
const clock = { now: () => t0 };
const reviews = { namespace: "default", serviceAccount: "reviews", workload: "reviews-v1" };

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function stateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "skein-ca-"));
  dirs.push(d);
  return d;
}

describe("CaService", () => {
  it("generates a root on first start, key 0600, and loads the same one after a restart", async () => {
    const dir = await stateDir();
    const first = await CaService.open({ stateDir: dir, clock });
    expect((await stat(join(dir, ROOT_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, ROOT_CERT_FILE), "utf8")).toBe(first.rootPem);
    const again = await CaService.open({ stateDir: dir, clock });
    expect(again.rootPem).toBe(first.rootPem);
    expect(again.trustDomain).toBe("cluster.local");
  });

  it("refuses to start with a root key others can read", async () => {
    const dir = await stateDir();
    await CaService.open({ stateDir: dir, clock });
    await chmod(join(dir, ROOT_KEY_FILE), 0o640);
    await expect(CaService.open({ stateDir: dir, clock })).rejects.toThrow(/root-key\.pem is accessible to group or others \(mode 0640\)/);
  });

  it("refuses a state directory holding a root key without its certificate", async () => {
    const dir = await stateDir();
    await CaService.open({ stateDir: dir, clock });
    await unlink(join(dir, ROOT_CERT_FILE));
    await expect(CaService.open({ stateDir: dir, clock })).rejects.toThrow(/exists without .*root-cert\.pem/);
  });

  it("signs with an operator's root given by path, and never writes its own", async () => {
    const dir = await stateDir();
    const own = await createRootCa({ trustDomain: "example.org", ttlMs: 1e10, clock });
    await writeFile(join(dir, "ca.pem"), own.certPem);
    await writeFile(join(dir, "ca-key.pem"), own.keyPem, { mode: 0o600 });
    const ca = await CaService.open({ stateDir: join(dir, "state"), rootCertFile: join(dir, "ca.pem"), rootKeyFile: join(dir, "ca-key.pem"), clock });
    expect(ca.rootPem).toBe(own.certPem);
    expect(ca.trustDomain).toBe("example.org");
    const issued = await ca.sign(reviews, (await createCsr({ spiffeId: "spiffe://example.org/ns/default/sa/reviews" })).csrPem);
    expect(issued.spiffeId).toBe("spiffe://example.org/ns/default/sa/reviews");
    await expect(stat(join(dir, "state", ROOT_KEY_FILE))).rejects.toThrow(/ENOENT/);
  });

  it("needs both files of a supplied root", async () => {
    await expect(CaService.open({ stateDir: await stateDir(), rootCertFile: "/nonexistent/ca.pem", clock })).rejects.toThrow(/both its certificate and its key/);
  });

  it("signs for the join token's identity, not the one the CSR asks for, for 24 h by default", async () => {
    const ca = await CaService.open({ stateDir: await stateDir(), clock });
    const { csrPem } = await createCsr({ spiffeId: "spiffe://cluster.local/ns/istio-system/sa/istiod" });
    const issued = await ca.sign(reviews, csrPem);
    const id = readIdentity(issued.certificate);
    expect(id.spiffeId).toBe("spiffe://cluster.local/ns/default/sa/reviews");
    expect(issued.spiffeId).toBe(id.spiffeId);
    expect(id.notAfter).toBe(t0 + 24 * 3600_000);
    expect(issued.notAfter).toBe(id.notAfter);
    expect(issued.root).toBe(ca.rootPem);
  });

  it("issues certificates of the configured lifetime", async () => {
    const ca = await CaService.open({ stateDir: await stateDir(), clock, workloadTtlMs: 5_000 });
    const issued = await ca.sign(reviews, (await createCsr({ spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" })).csrPem);
    expect(readIdentity(issued.certificate).notAfter).toBe(t0 + 5_000);
  });
});
