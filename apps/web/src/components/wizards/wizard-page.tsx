"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { countBySeverity, validateSources } from "@skein/shared/browser";
import { useMemo, useState } from "react";
import { applyYaml, resourcesQuery, workloadsQuery } from "@/client/config/queries";
import { configValidationContext } from "@/client/config/validation-context";
import { configKeys } from "@/client/query-keys";
import { useCanEdit } from "@/client/use-me";
import { describeFailure, describeResult } from "../config/apply-outcome";
import { DiagnosticsList } from "../config/diagnostics-list";
import { Options } from "../ui/options";
import { circuitBreaking } from "./circuit-breaking-form";
import { faultInjection } from "./fault-injection-form";
import { requestRouting } from "./request-routing-form";
import { renderDocuments, serviceConfigOf, serviceKey, servicesOf, subsetsOf, type ServiceConfig, type ServiceTarget } from "./service-config";
import { timeoutsRetries } from "./timeouts-retries-form";
import { trafficShifting } from "./traffic-shifting-form";
import type { WizardDef } from "./wizard-def";
import { WIZARDS, type WizardId } from "./wizard-ids";
import styles from "./wizards.module.css";

type Outcome = { ok: boolean; message: string; diagnostics: ReturnType<typeof describeFailure>["diagnostics"]; conflict?: boolean };

/** /config/wizards/<id>?namespace=&service=: pick a service, fill the form, see the YAML, apply it. */
export function WizardPage({ wizard }: { wizard: WizardId }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const namespace = params.get("namespace") ?? "";
  const service = params.get("service") ?? "";
  // Read afresh on opening, so the wizard starts from what is stored now, not from a cache.
  const workloads = useQuery({ ...workloadsQuery(), refetchOnMount: "always" });
  const resources = useQuery({ ...resourcesQuery(), refetchOnMount: "always" });
  const loaded = workloads.isFetchedAfterMount && resources.isFetchedAfterMount;
  const services = servicesOf(workloads.data ?? []);
  const picked = service ? serviceKey({ namespace, service }) : "";
  const info = WIZARDS.find((w) => w.id === wizard)!;
  const pick = (value: string) => {
    const [ns, svc] = value.split("/");
    router.replace(`${pathname}?${new URLSearchParams({ namespace: ns ?? "", service: svc ?? "" })}`, { scroll: false });
  };

  return (
    <div className={styles.page}>
      <h1>
        <Link href={`/config${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ""}`}>Istio Config</Link> / {info.title}
      </h1>
      <p className="muted">{info.description}</p>
      <div className="toolbar">
        <label>
          Service
          <select value={picked} onChange={(e) => pick(e.currentTarget.value)} data-testid="wizard-service-picker">
            <Options blank={workloads.isPending ? "Loading services…" : "Pick a service"} choices={services.map(serviceKey)} current={picked} unlisted={(key) => `${key} (no registered workloads)`} />
          </select>
        </label>
        <nav className={styles.wizardTabs} aria-label="Wizards">
          {WIZARDS.map((w) => (
            <Link key={w.id} href={`/config/wizards/${w.id}?${params.toString()}`} aria-current={w.id === wizard ? "page" : undefined} className={w.id === wizard ? styles.activeTab : undefined}>
              {w.title}
            </Link>
          ))}
        </nav>
      </div>
      {(workloads.isError || resources.isError) && <p className="error">Cannot load the mesh&apos;s services and config: {(workloads.error ?? resources.error)!.message}. Check that the control plane is running.</p>}
      {!service && <p className="muted">Pick the service to configure.</p>}
      {service && namespace && loaded && workloads.data && resources.data && <Runner key={`${wizard}/${namespace}/${service}`} wizard={wizard} target={{ namespace, service }} />}
      {service && !namespace && <p className="error">The URL names a service but no namespace: add ?namespace=… or pick the service above.</p>}
      {service && namespace && !loaded && !workloads.isError && !resources.isError && <p className="muted">Loading {namespace}/{service}…</p>}
    </div>
  );
}

function Runner({ wizard, target }: { wizard: WizardId; target: ServiceTarget }) {
  switch (wizard) {
    case "traffic-shifting":
      return <WizardRunner def={trafficShifting} wizard={wizard} target={target} />;
    case "request-routing":
      return <WizardRunner def={requestRouting} wizard={wizard} target={target} />;
    case "fault-injection":
      return <WizardRunner def={faultInjection} wizard={wizard} target={target} />;
    case "timeouts-retries":
      return <WizardRunner def={timeoutsRetries} wizard={wizard} target={target} />;
    case "circuit-breaking":
      return <WizardRunner def={circuitBreaking} wizard={wizard} target={target} />;
  }
}

/**
 * Runs one wizard for one service. The service's config is read once and kept (with its
 * resourceVersions) until this page applies or reloads, so that a change made meanwhile
 * by someone else makes the apply a conflict instead of being merged over unseen.
 */
function WizardRunner<F>({ def, wizard, target }: { def: WizardDef<F>; wizard: WizardId; target: ServiceTarget }) {
  const queryClient = useQueryClient();
  const canEdit = useCanEdit();
  const resources = useQuery(resourcesQuery());
  const workloads = useQuery(workloadsQuery());
  const [cfg, setCfg] = useState<ServiceConfig>(() => serviceConfigOf(target, resources.data ?? [], workloads.data ?? []));
  const subsets = subsetsOf(cfg);
  const [form, setForm] = useState<F>(() => def.start(cfg, subsets));
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const documents = useMemo(() => def.resources(cfg, form), [def, cfg, form]);
  const yaml = useMemo(() => renderDocuments(documents), [documents]);
  const formErrors = def.errors(form);
  const context = useMemo(() => configValidationContext(resources.data ?? [], workloads.data ?? []), [resources.data, workloads.data]);
  const diagnostics = useMemo(() => validateSources([{ file: `${wizard}.yaml`, text: yaml }], { defaultNamespace: target.namespace, context }).files.flatMap((f) => f.diagnostics), [yaml, context, wizard, target.namespace]);
  const counts = countBySeverity(diagnostics);
  const blocked = !canEdit || busy || formErrors.length > 0 || counts.errors > 0;

  async function reload() {
    const [r, w] = await Promise.all([queryClient.fetchQuery({ ...resourcesQuery(), staleTime: 0 }), queryClient.fetchQuery({ ...workloadsQuery(), staleTime: 0 })]);
    const next = serviceConfigOf(target, r, w);
    setCfg(next);
    return next;
  }

  async function apply() {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await applyYaml(`${wizard}.yaml`, yaml, target.namespace);
      setOutcome({ ok: true, message: describeResult(result), diagnostics: [] });
      await queryClient.invalidateQueries({ queryKey: configKeys.all(), refetchType: "all" });
      await reload();
    } catch (e) {
      const f = describeFailure(e, "Apply");
      setOutcome({ ok: false, message: f.conflict ? `${f.message} Reload to start from the stored config, then apply again.` : f.message, diagnostics: f.diagnostics, conflict: f.conflict });
    } finally {
      setBusy(false);
    }
  }

  const editing = [cfg.virtualService && `VirtualService ${cfg.virtualService.metadata.name} (version ${cfg.virtualService.metadata.resourceVersion})`, cfg.destinationRule && `DestinationRule ${cfg.destinationRule.metadata.name} (version ${cfg.destinationRule.metadata.resourceVersion})`].filter(Boolean);
  return (
    <div className={styles.columns}>
      <section className="panel">
        <h2>
          {target.namespace}/{target.service}
        </h2>
        <p className="muted">{editing.length > 0 ? `Starting from ${editing.join(" and ")}.` : "The service has no VirtualService or DestinationRule yet; applying creates them."}</p>
        {!canEdit && <p className={styles.readOnly}>Read-only: only editors can apply config; you are signed in as a viewer.</p>}
        <def.Form form={form} onChange={setForm} cfg={cfg} subsets={subsets} disabled={!canEdit} />
        {formErrors.length > 0 && (
          <ul className={styles.formErrors} data-testid="wizard-errors">
            {formErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel">
        <h2>YAML to apply</h2>
        <pre className={styles.yaml} data-testid="wizard-yaml">
          {yaml}
        </pre>
        <DiagnosticsList diagnostics={diagnostics} testId="wizard-diagnostics" />
        <div className="toolbar" style={{ marginTop: 10 }}>
          <button
            type="button"
            className="primary"
            data-testid="wizard-apply"
            disabled={blocked}
            title={!canEdit ? "Only editors can apply config" : formErrors[0] ?? (counts.errors > 0 ? `Fix the ${counts.errors} error(s) first` : `Apply ${documents.length} document(s) in one change`)}
            onClick={apply}
          >
            {busy ? "Applying…" : "Apply"}
          </button>
          <button type="button" onClick={() => void reload().then((next) => setForm(def.start(next, subsetsOf(next))))} disabled={busy} title="Discard the form and start from the stored config">
            Reset
          </button>
          {outcome?.conflict && (
            <button type="button" onClick={() => void reload().then(() => setOutcome(undefined))}>
              Reload stored config (keep my form)
            </button>
          )}
        </div>
        {outcome && (
          <div className={outcome.ok ? styles.success : styles.failure} data-testid={outcome.ok ? "wizard-result" : "wizard-error"} role={outcome.ok ? "status" : "alert"}>
            {outcome.message}
            {outcome.diagnostics.length > 0 && <DiagnosticsList diagnostics={outcome.diagnostics} testId="wizard-server-diagnostics" />}
          </div>
        )}
      </section>
    </div>
  );
}
