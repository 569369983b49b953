/**
 * Fixtures in the spirit of cal.com's: pages already signed in as a role, and mesh state a
 * test changes (routing, the traffic rate) put back in teardown, even when the test fails.
 */
import { test as base, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { parseConsoleAuth, startConsole } from "../apps/mesh/src/runner/console.ts";
import { asDocument, CONSOLE_URL, E2E_PORTS, PROMETHEUS_URL, testMesh, USERS, type StoredResource, type TestMesh, type UserName } from "./mesh.ts";
import { join } from "node:path";

export { expect } from "@playwright/test";

/** The console's API as a signed-in user: cookies in `request`, the session's CSRF token beside them. */
export interface ConsoleApi {
  request: APIRequestContext;
  csrfToken: string;
}

export interface MeshConfig {
  /** Remembers a resource as it is now; the fixture's teardown applies it back (or deletes it if it did not exist). */
  preserve(kind: string, namespace: string, name: string): Promise<StoredResource | undefined>;
}

interface Fixtures {
  mesh: TestMesh;
  editorPage: Page;
  viewerPage: Page;
  editorApi: ConsoleApi;
  viewerApi: ConsoleApi;
  meshConfig: MeshConfig;
  /** Sets the traffic generator's rate for this test; the previous rate comes back after. */
  trafficRate: (requestsPerSecond: number) => Promise<void>;
  /** A second console process on the same mesh in anonymous-editor mode; its URL. */
  anonymousConsoleUrl: string;
}

async function signIn(browser: Browser, user: UserName): Promise<{ page: Page; api: ConsoleApi; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL: CONSOLE_URL, viewport: { width: 1440, height: 900 } });
  const res = await context.request.post("/api/auth/login", { data: { username: USERS[user].username, password: USERS[user].password } });
  if (!res.ok()) throw new Error(`signing in as ${user} failed: HTTP ${res.status()} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { page: await context.newPage(), api: { request: context.request, csrfToken }, close: () => context.close() };
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  mesh: async ({}, use) => {
    await use(testMesh());
  },
  editorPage: async ({ browser }, use) => {
    const s = await signIn(browser, "editor");
    await use(s.page);
    await s.close();
  },
  viewerPage: async ({ browser }, use) => {
    const s = await signIn(browser, "viewer");
    await use(s.page);
    await s.close();
  },
  editorApi: async ({ browser }, use) => {
    const s = await signIn(browser, "editor");
    await use(s.api);
    await s.close();
  },
  viewerApi: async ({ browser }, use) => {
    const s = await signIn(browser, "viewer");
    await use(s.api);
    await s.close();
  },
  meshConfig: async ({ mesh }, use) => {
    const saved = new Map<string, { kind: string; namespace: string; name: string; before: StoredResource | undefined }>();
    await use({
      async preserve(kind, namespace, name) {
        const key = `${kind}/${namespace}/${name}`;
        const before = await mesh.resource(kind, namespace, name);
        if (!saved.has(key)) saved.set(key, { kind, namespace, name, before });
        return before;
      },
    });
    const problems: string[] = [];
    for (const { kind, namespace, name, before } of saved.values()) {
      try {
        const now = await mesh.resource(kind, namespace, name);
        if (!before) {
          if (now) await mesh.remove(kind, namespace, name);
        } else if (!now || JSON.stringify(now.spec) !== JSON.stringify(before.spec)) {
          await mesh.apply(asDocument(before), "e2e: restore after test");
        }
      } catch (e) {
        problems.push(`${kind}/${namespace}/${name}: ${(e as Error).message}`);
      }
    }
    if (problems.length > 0) throw new Error(`could not restore the mesh config: ${problems.join("; ")}`);
  },
  trafficRate: async ({ mesh }, use) => {
    let before: number | undefined;
    await use(async (rps) => {
      before ??= await mesh.trafficRate();
      await mesh.trafficRate(rps);
    });
    if (before !== undefined) await mesh.trafficRate(before);
  },
  anonymousConsoleUrl: async ({ mesh }, use) => {
    const running = await startConsole({
      port: E2E_PORTS.anonymousConsole,
      controlPlaneUrl: mesh.controlPlaneUrl,
      prometheusUrl: PROMETHEUS_URL,
      stateDir: mesh.stateDir,
      databaseUrl: `file:${join(mesh.stateDir, "skein.db")}`,
      auth: parseConsoleAuth("anonymous-editor"),
      logDir: join(mesh.stateDir, "logs"),
      name: "console-anonymous",
    });
    try {
      await use(running.url);
    } finally {
      await running.stop();
    }
  },
});
