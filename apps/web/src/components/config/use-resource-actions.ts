"use client";
import { useQueryClient } from "@tanstack/react-query";
import type { ApplyResult, Diagnostic, Revision, StoredResource } from "@skein/shared/browser";
import { useState } from "react";
import { applyYaml, deleteResource, historyQuery, putResource, resourceQuery, rollbackTo } from "@/client/config/queries";
import { configKeys } from "@/client/query-keys";
import { describeFailure, describeResult } from "./apply-outcome";
import { baselineOf, type Baseline, type Written } from "./baseline";

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface Conflict {
  ref: ResourceRef;
  theirs: Baseline & { author?: string };
}

export type Outcome = { ok: true; message: string } | { ok: false; message: string; diagnostics: Diagnostic[] };


/**
 * The editor's writes to the control plane: apply with the loaded version (a 409 becomes
 * a Conflict to resolve, never an overwrite), create, roll back and delete. Each ends in
 * an Outcome the page shows; the config queries are refreshed after every write.
 */
export function useResourceActions() {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [conflict, setConflict] = useState<Conflict>();

  async function fresh(ref: ResourceRef): Promise<StoredResource> {
    return queryClient.fetchQuery({ ...resourceQuery(ref.kind, ref.namespace, ref.name), staleTime: 0 });
  }

  async function openConflict(ref: ResourceRef): Promise<void> {
    const [theirs, history] = await Promise.all([fresh(ref), queryClient.fetchQuery({ ...historyQuery(ref.kind, ref.namespace, ref.name), staleTime: 0 }).catch(() => [] as Revision[])]);
    setConflict({ ref, theirs: { ...baselineOf(theirs), ...(history[0] ? { author: history[0].author } : {}) } });
  }

  /**
   * Runs one write. On success returns the version the write left the resource at, and
   * the stored resource read back, which may already be newer when someone else wrote
   * in between; false on failure.
   */
  async function run(action: string, ref: ResourceRef, write: () => Promise<ApplyResult>, refresh = true): Promise<Written | false> {
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await write();
      setOutcome({ ok: true, message: describeResult(result) });
      // Inactive ones too (the history of a closed panel), so nothing shows the state before this write.
      await queryClient.invalidateQueries({ queryKey: configKeys.all(), refetchType: "all" });
      const change = result.changes.find((c) => c.kind === ref.kind && c.namespace === ref.namespace && c.name === ref.name);
      return { resourceVersion: change?.resourceVersion, stored: refresh ? await fresh(ref) : undefined };
    } catch (e) {
      const f = describeFailure(e, action);
      if (f.conflict) await openConflict(ref).catch(() => undefined);
      setOutcome({ ok: false, message: f.message, diagnostics: f.diagnostics });
      return false;
    } finally {
      setBusy(false);
    }
  }

  return {
    busy,
    outcome,
    setOutcome,
    conflict,
    closeConflict: () => setConflict(undefined),
    apply: (ref: ResourceRef, text: string, resourceVersion: string) => run("Apply", ref, () => putResource(ref.kind, ref.namespace, ref.name, text, resourceVersion)),
    /** A new resource: a dry run first, so that one that exists already is a conflict rather than a silent replace. */
    create: async (ref: ResourceRef, text: string) => {
      setBusy(true);
      try {
        const dry = await applyYaml(`${ref.kind}/${ref.namespace}/${ref.name}.yaml`, text, ref.namespace, true);
        if (dry.changes.some((c) => c.operation !== "create")) {
          await openConflict(ref);
          setOutcome({ ok: false, message: `${ref.kind} ${ref.namespace}/${ref.name} exists already. Keep yours to replace it, or take the stored one.`, diagnostics: [] });
          return false;
        }
      } catch (e) {
        const f = describeFailure(e, "Create");
        setOutcome({ ok: false, message: f.message, diagnostics: f.diagnostics });
        return false;
      } finally {
        setBusy(false);
      }
      return run("Create", ref, () => applyYaml(`${ref.kind}/${ref.namespace}/${ref.name}.yaml`, text, ref.namespace));
    },
    rollback: (ref: ResourceRef, revision: number) => run("Rollback", ref, () => rollbackTo(revision)),
    remove: (ref: ResourceRef, resourceVersion: string) => run("Delete", ref, () => deleteResource(ref.kind, ref.namespace, ref.name, resourceVersion), false),
  };
}
