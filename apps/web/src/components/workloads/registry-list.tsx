"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { GridTable } from "@/components/ui/grid-table";
import { Options } from "@/components/ui/options";
import styles from "./workloads.module.css";

/** The list's `?namespace=` filter ("" for all), kept in the URL so a filtered list can be bookmarked. */
export function useNamespaceFilter(): [string, (namespace: string) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const namespace = useSearchParams().get("namespace") ?? "";
  const setNamespace = (ns: string) => router.replace(ns ? `${pathname}?namespace=${encodeURIComponent(ns)}` : pathname, { scroll: false });
  return [namespace, setNamespace];
}

interface Props {
  title: string;
  /** Test ids `<testId>-namespace` (the filter) and `<testId>-table`. */
  testId: string;
  namespace: string;
  namespaces: readonly string[];
  onNamespace: (namespace: string) => void;
  /** Why the registry could not be read, if it could not. */
  error: Error | null;
  columns: readonly string[];
  /** What the table says when the filter leaves no rows. */
  empty?: ReactNode;
  children: ReactNode;
}

/** A page listing what the control plane's registry holds (services, workloads), filtered by namespace. */
export function RegistryList({ title, testId, namespace, namespaces, onNamespace, error, columns, empty, children }: Props) {
  return (
    <div className={styles.page}>
      <div className={styles.toolbar}>
        <h1>{title}</h1>
        <label>
          Namespace
          <select value={namespace} onChange={(e) => onNamespace(e.target.value)} data-testid={`${testId}-namespace`}>
            <Options blank="All namespaces" choices={namespaces} />
          </select>
        </label>
      </div>
      {error && (
        <p className="error">
          Cannot list {title.toLowerCase()}: {error.message}
        </p>
      )}
      <GridTable columns={columns} empty={empty} testId={`${testId}-table`}>
        {children}
      </GridTable>
    </div>
  );
}
