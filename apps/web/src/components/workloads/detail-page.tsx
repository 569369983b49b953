"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { Options } from "@/components/ui/options";
import { DETAIL_WINDOWS } from "./mesh-queries";
import styles from "./workloads.module.css";

const LIST_PATH = { Services: "/services", Workloads: "/workloads" } as const;

/** The charts' time window from `?duration=` (10m unless it names one of DETAIL_WINDOWS). */
export function useDetailWindow(): [string, (duration: string) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const asked = useSearchParams().get("duration") ?? "";
  const duration = (DETAIL_WINDOWS as readonly string[]).includes(asked) ? asked : "10m";
  return [duration, (d: string) => router.replace(`${pathname}?duration=${d}`, { scroll: false })];
}

/** A service's or workload's page below a link back to its list, filtered to `namespace` when given. */
export function DetailPage({ list, namespace, children }: { list: keyof typeof LIST_PATH; namespace?: string; children: ReactNode }) {
  return (
    <div className={styles.page}>
      <p className={styles.crumbs}>
        <Link href={namespace ? `${LIST_PATH[list]}?namespace=${encodeURIComponent(namespace)}` : LIST_PATH[list]}>← {list}</Link>
      </p>
      {children}
    </div>
  );
}

/**
 * A detail page whose subject cannot be shown: the registry is still loading, cannot be
 * read, or does not hold it (`missing` says so).
 */
export function DetailUnavailable({ list, registry, missing }: { list: keyof typeof LIST_PATH; registry: { isLoading: boolean; error: Error | null }; missing: ReactNode }) {
  if (registry.isLoading) return <p className="muted">Loading…</p>;
  if (registry.error) {
    return (
      <p className="error">
        Cannot list {list.toLowerCase()}: {registry.error.message}
      </p>
    );
  }
  return (
    <DetailPage list={list}>
      <p className="error" role="alert">
        {missing}
      </p>
    </DetailPage>
  );
}

interface HeaderProps {
  name: string;
  namespace: string;
  /** Shown after the name, in the heading. */
  badge?: ReactNode;
  /** Links between the heading and the window picker. */
  actions?: ReactNode;
  duration: string;
  onDuration: (duration: string) => void;
}

export function DetailHeader({ name, namespace, badge, actions, duration, onDuration }: HeaderProps) {
  return (
    <div className={styles.toolbar}>
      <h1>
        {name} <span className="muted">{namespace}</span>
        {badge && <> {badge}</>}
      </h1>
      <span style={{ flex: 1 }} />
      {actions}
      <label>
        Window
        <select value={duration} onChange={(e) => onDuration(e.target.value)}>
          <Options choices={DETAIL_WINDOWS} />
        </select>
      </label>
    </div>
  );
}

/** Labels (or a selector) as `key=value` chips: the value cell of a facts list. */
export function LabelChips({ labels }: { labels: Record<string, string> }) {
  return (
    <dd className={styles.labels}>
      {Object.entries(labels).map(([k, v]) => (
        <span key={k} className={styles.label}>
          {k}={v}
        </span>
      ))}
    </dd>
  );
}
