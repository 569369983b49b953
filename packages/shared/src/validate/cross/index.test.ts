import { describe, expect, it } from "vitest";
import { validateSources } from "../validate.ts";
import { runCrossChecks } from "./index.ts";
import { authorizationPolicy, deployment, destinationRule, peerAuthentication, service, serviceAccount, virtualService } from "./testing.ts";

/** A mesh of `apps` apps, 8 resources each, whose cross references all resolve. */
function mesh(apps: number): string {
  const docs: string[] = [];
  for (let i = 0; i < apps; i++) {
    const ns = `team-${i % 40}`;
    const app = `app-${i}`;
    const c = (i + 1) % apps;
    const caller = `team-${c % 40}/sa/app-${c}`;
    docs.push(
      service(`${ns}/${app}`, { app }),
      serviceAccount(`${ns}/${app}`),
      deployment(`${ns}/${app}-v1`, { app, version: "v1" }, app),
      deployment(`${ns}/${app}-v2`, { app, version: "v2" }, app),
      destinationRule(`${ns}/${app}`, { host: app, trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } }, subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] }),
      virtualService(`${ns}/${app}`, { hosts: [app], http: [{ route: [{ destination: { host: app, subset: "v1" }, weight: 90 }, { destination: { host: app, subset: "v2" }, weight: 10 }] }] }),
      authorizationPolicy(`${ns}/${app}`, { selector: { matchLabels: { app } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${caller}`], namespaces: [ns] } }] }] }),
      peerAuthentication(`${ns}/${app}`, { selector: { matchLabels: { app } }, mtls: { mode: "STRICT" } }),
    );
  }
  return docs.join("---\n");
}

describe("runCrossChecks", () => {
  it("finds nothing in a consistent mesh", () => {
    const report = validateSources([{ file: "mesh.yaml", text: mesh(80) }]);
    expect(report.files.flatMap((f) => f.diagnostics)).toEqual([]);
  });

  // Speed at this size is measured by `npm run bench -- validate`, not here.
  it("finds nothing in a consistent mesh of 10,000 resources", () => {
    const { resources } = validateSources([{ file: "mesh.yaml", text: mesh(1250) }]);
    expect(resources).toHaveLength(10_000);
    expect(runCrossChecks(resources)).toEqual([]);
  });

  it("reports only on the input when existing resources are given as context", () => {
    const context = validateSources([{ file: "cluster.yaml", text: [service("default/reviews", { app: "reviews" }), virtualService("default/old", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] })].join("---\n") }]);
    const report = validateSources([{ file: "new.yaml", text: virtualService("default/new", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] }) }], { context: context.resources });
    const found = report.files.flatMap((f) => f.diagnostics).map((d) => `${d.file} ${d.code} ${d.name} ${d.path}`);
    expect(found).toEqual(["new.yaml SK2004 new spec.hosts[0]"]);
  });
});
