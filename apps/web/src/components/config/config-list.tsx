"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { configStatusQuery, workloadsQuery, type ResourceWithValidation } from "@/client/config/queries";
import { useCanEdit } from "@/client/use-me";
import { diagnosticText } from "../editor/diagnostic-range";
import { GridTable } from "../ui/grid-table";
import { Options } from "../ui/options";
import { serviceKey, servicesOf } from "../wizards/service-config";
import { WIZARDS } from "../wizards/wizard-ids";
import styles from "./config.module.css";
import { byKindNamespaceName, filtersFrom, filtersQuery, matches, serviceOf, statusLabel, type ListFilters } from "./list-filters";
import { TEMPLATE_KINDS } from "./templates";

const editorHref = (kind: string, namespace: string, name: string) => `/config/${encodeURIComponent(kind)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
const wizardHref = (wizard: string, namespace: string, service: string) => `/config/wizards/${wizard}?${new URLSearchParams({ namespace, service })}`;

function StatusBadge({ item }: { item: ResourceWithValidation }) {
  const s = statusLabel(item.validation);
  return (
    <span className={styles.status} tabIndex={0}>
      <span className={`badge ${s.tone}`} data-testid="config-status" data-errors={item.validation.errors} data-warnings={item.validation.warnings} title={item.validation.diagnostics.map(diagnosticText).join("\n") || "No problems found"}>
        {s.label}
      </span>
      {item.validation.diagnostics.length > 0 && (
        <span className={styles.popover} role="tooltip">
          <ul>
            {item.validation.diagnostics.map((d, i) => (
              <li key={i} className={d.severity === "error" ? "error" : undefined}>
                {diagnosticText(d)}
              </li>
            ))}
          </ul>
        </span>
      )}
    </span>
  );
}

/** /config: every stored Istio resource with Kiali-style validation badges, filters in the URL, Create and Wizards menus. */
export function ConfigList() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = filtersFrom(params);
  const canEdit = useCanEdit();
  const status = useQuery(configStatusQuery());
  const workloads = useQuery(workloadsQuery());
  const services = servicesOf(workloads.data ?? []);
  const [pickedService, setPickedService] = useState("");

  const setFilters = (f: ListFilters) => router.replace(pathname + filtersQuery(f), { scroll: false });
  const items = (status.data ?? []).filter((i) => matches(i.resource, filters)).sort((a, b) => byKindNamespaceName(a.resource, b.resource));
  const kinds = [...new Set([...TEMPLATE_KINDS, ...(status.data ?? []).map((i) => i.resource.kind)])].sort();
  const namespaces = [...new Set([...(status.data ?? []).map((i) => i.resource.metadata.namespace), ...services.map((s) => s.namespace)])].sort();
  const createNamespace = filters.namespace ?? namespaces[0] ?? "default";
  const wizardTarget = services.find((s) => serviceKey(s) === pickedService) ?? services.find((s) => !filters.namespace || s.namespace === filters.namespace);

  return (
    <div>
      <div className={styles.listHeader}>
        <h1>Istio Config</h1>
        <span className="muted">{status.data ? `${items.length} of ${status.data.length} resources` : ""}</span>
      </div>
      <div className="toolbar">
        <label>
          Kind
          <select value={filters.kind ?? ""} onChange={(e) => setFilters({ ...filters, kind: e.target.value || undefined })} data-testid="filter-kind">
            <Options blank="All kinds" choices={kinds} />
          </select>
        </label>
        <label>
          Namespace
          <select value={filters.namespace ?? ""} onChange={(e) => setFilters({ ...filters, namespace: e.target.value || undefined })} data-testid="filter-namespace">
            <Options blank="All namespaces" choices={namespaces} />
          </select>
        </label>
        <span className="topbar-spacer" />
        <details className={styles.menu}>
          <summary data-testid="create-menu" title={canEdit ? "New resource from a template" : "Only editors can create config"}>
            Create ▾
          </summary>
          <div className={styles.menuItems}>
            {!canEdit && <span className={styles.menuNote}>You are a viewer: you can open a template but not apply it.</span>}
            {TEMPLATE_KINDS.map((k) => (
              <Link key={k} href={`/config/new?${new URLSearchParams({ kind: k, namespace: createNamespace })}`} data-testid={`create-${k}`}>
                {k}
              </Link>
            ))}
          </div>
        </details>
        <details className={styles.menu}>
          <summary data-testid="wizards-menu">Wizards ▾</summary>
          <div className={styles.menuItems}>
            <label className={styles.menuNote}>
              Service
              <select value={wizardTarget ? serviceKey(wizardTarget) : ""} onChange={(e) => setPickedService(e.target.value)} data-testid="wizard-service">
                <Options blank={services.length > 0 ? undefined : workloads.isPending ? "Loading…" : "No services registered"} choices={services.map(serviceKey)} />
              </select>
            </label>
            {wizardTarget &&
              WIZARDS.map((w) => (
                <Link key={w.id} href={wizardHref(w.id, wizardTarget.namespace, wizardTarget.service)} data-testid={`wizard-link-${w.id}`}>
                  {w.title}
                </Link>
              ))}
          </div>
        </details>
      </div>
      {status.isPending && <p className="muted">Loading config and validating it…</p>}
      {status.isError && (
        <p className="error">
          Cannot list the config: {status.error.message}. Check that the control plane is running (SKEIN_CONTROL_PLANE_URL).{" "}
          <button type="button" onClick={() => status.refetch()}>
            Retry
          </button>
        </p>
      )}
      {status.data && (
        <GridTable
          columns={["Kind", "Namespace", "Name", "Validation", "Version", "Actions"]}
          empty={items.length === 0 && `No resources${filters.kind ? ` of kind ${filters.kind}` : ""}${filters.namespace ? ` in namespace ${filters.namespace}` : ""}.`}
          emptyClassName={styles.empty}
          testId="config-list"
        >
          {items.map((item) => {
            const r = item.resource;
            const m = r.metadata;
            const service = serviceOf(r);
            return (
              <tr key={`${r.kind}/${m.namespace}/${m.name}`} data-testid={`config-row-${r.kind}-${m.namespace}-${m.name}`}>
                <td>{r.kind}</td>
                <td>{m.namespace}</td>
                <td>
                  <Link href={editorHref(r.kind, m.namespace, m.name)}>{m.name}</Link>
                </td>
                <td>
                  <StatusBadge item={item} />
                </td>
                <td className="mono">{m.resourceVersion}</td>
                <td>
                  <span className={styles.rowActions}>
                    <Link href={editorHref(r.kind, m.namespace, m.name)}>{canEdit ? "Edit YAML" : "View YAML"}</Link>
                    {service && <Link href={wizardHref(r.kind === "DestinationRule" ? "circuit-breaking" : "traffic-shifting", m.namespace, service)}>Wizards</Link>}
                  </span>
                </td>
              </tr>
            );
          })}
        </GridTable>
      )}
    </div>
  );
}
