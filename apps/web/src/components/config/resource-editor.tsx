"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { countBySeverity, parseYamlFile, type Diagnostic, type Revision } from "@skein/shared/browser";
import { useEffect, useRef, useState } from "react";
import { resourceQuery } from "@/client/config/queries";
import { useConfigValidation } from "@/client/config/use-validation";
import { useCanEdit } from "@/client/use-me";
import { DiffView } from "../editor/diff-view";
import { YamlEditor, type YamlEditorHandle } from "../editor/yaml-editor";
import { ConfirmDialog } from "./confirm-dialog";
import { ConflictDialog } from "./conflict-dialog";
import { DiagnosticsList } from "./diagnostics-list";
import { HistoryPanel } from "./history-panel";
import styles from "./config.module.css";
import { isTemplateKind, templateYaml } from "./templates";
import { baselineAfterApply, baselineOf, type Baseline } from "./baseline";
import { useResourceActions, type ResourceRef } from "./use-resource-actions";

export type EditorTarget = ({ mode: "existing" } & ResourceRef) | { mode: "new"; kind: string; namespace: string };

/** /config/K/NS/N and /config/new: loads the stored resource (or a template), then the workspace. */
export function ResourceEditor({ target, created }: { target: EditorTarget; created?: boolean }) {
  const stored = useQuery({ ...resourceQuery(target.kind, target.namespace, target.mode === "existing" ? target.name : ""), enabled: target.mode === "existing" });
  if (target.mode === "new") {
    if (!isTemplateKind(target.kind)) return <p className="error">There is no template for kind &quot;{target.kind}&quot;. Pick a kind from the Create menu on the <Link href="/config">config list</Link>.</p>;
    return <Workspace key={`new/${target.kind}`} target={target} initialText={templateYaml(target.kind, target.namespace)} />;
  }
  if (stored.isPending) return <p className="muted">Loading {target.kind} {target.namespace}/{target.name}…</p>;
  if (stored.isError) {
    return (
      <div className="panel">
        <p className="error">Cannot load {target.kind} {target.namespace}/{target.name}: {stored.error.message}</p>
        <Link href="/config">Back to the config list</Link>
      </div>
    );
  }
  return <Workspace key={`${target.kind}/${target.namespace}/${target.name}`} target={target} initialText={baselineOf(stored.data).text} baseline={baselineOf(stored.data)} created={created} />;
}

function identityOf(text: string, fallbackNamespace: string): ResourceRef | undefined {
  const v = parseYamlFile("editor.yaml", text).documents[0]?.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | undefined;
  if (typeof v?.kind !== "string" || typeof v.metadata?.name !== "string") return undefined;
  return { kind: v.kind, namespace: typeof v.metadata.namespace === "string" ? v.metadata.namespace : fallbackNamespace, name: v.metadata.name };
}

function Workspace({ target, initialText, baseline: loaded, created }: { target: EditorTarget; initialText: string; baseline?: Baseline; created?: boolean }) {
  const router = useRouter();
  const canEdit = useCanEdit();
  const editor = useRef<YamlEditorHandle>(null);
  const [baseline, setBaseline] = useState(loaded);
  const [text, setText] = useState(initialText);
  const [linted, setLinted] = useState<{ text: string; diagnostics: Diagnostic[] }>();
  const [showDiff, setShowDiff] = useState(false);
  const [showHistory, setShowHistory] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [rollingBack, setRollingBack] = useState<number>();
  const actions = useResourceActions();
  const { validate, ready, contextError } = useConfigValidation("editor.yaml", target.namespace);
  const ref: ResourceRef | undefined = target.mode === "existing" ? target : undefined;
  const what = `${target.kind} ${target.namespace}/${ref?.name ?? "(new)"}`;

  // Cross-resource checks change when the stored config and workloads arrive or change.
  useEffect(() => editor.current?.revalidate(), [validate]);
  const setOutcome = actions.setOutcome;
  useEffect(() => {
    if (created && loaded) setOutcome({ ok: true, message: `${target.kind} ${target.namespace}/${ref?.name} created (version ${loaded.resourceVersion}).` });
  }, [created, loaded, ref?.name, setOutcome, target.kind, target.namespace]);

  const diagnostics = linted?.diagnostics ?? [];
  const pending = linted?.text !== text;
  const counts = countBySeverity(diagnostics);
  const dirty = text !== (baseline?.text ?? "");

  function reload(b: Baseline) {
    setBaseline(b);
    editor.current?.setText(b.text);
  }

  async function apply() {
    const current = editor.current?.getText() ?? text;
    const found = validate(current);
    setLinted({ text: current, diagnostics: found });
    if (countBySeverity(found).errors > 0) return;
    if (ref && baseline) {
      const written = await actions.apply(ref, current, baseline.resourceVersion);
      if (written) setBaseline(baselineAfterApply(written, current) ?? baseline);
      return;
    }
    const id = identityOf(current, target.namespace);
    if (!id) return actions.setOutcome({ ok: false, message: "The document needs a kind and metadata.name before it can be created.", diagnostics: [] });
    const written = await actions.create(id, current);
    if (written) router.replace(`/config/${encodeURIComponent(id.kind)}/${encodeURIComponent(id.namespace)}/${encodeURIComponent(id.name)}?created=1`);
  }

  async function keepMine() {
    const c = actions.conflict!;
    actions.closeConflict();
    const mine = editor.current?.getText() ?? text;
    const written = await actions.apply(c.ref, mine, c.theirs.resourceVersion);
    if (written) {
      setBaseline(baselineAfterApply(written, mine));
      if (!ref) router.replace(`/config/${encodeURIComponent(c.ref.kind)}/${encodeURIComponent(c.ref.namespace)}/${encodeURIComponent(c.ref.name)}`);
    }
  }

  function takeTheirs() {
    const c = actions.conflict!;
    actions.closeConflict();
    if (!ref) return router.push(`/config/${encodeURIComponent(c.ref.kind)}/${encodeURIComponent(c.ref.namespace)}/${encodeURIComponent(c.ref.name)}`);
    reload(c.theirs);
    actions.setOutcome({ ok: true, message: `Loaded the stored version ${c.theirs.resourceVersion}; your edit was discarded.` });
  }

  async function rollback(r: Revision) {
    if (!ref) return;
    setRollingBack(r.id);
    const written = await actions.rollback(ref, r.id);
    setRollingBack(undefined);
    // The editor shows what is stored now, at the version it claims.
    if (written && written.stored) reload(baselineOf(written.stored));
  }

  async function remove() {
    if (!ref || !baseline) return;
    const written = await actions.remove(ref, baseline.resourceVersion);
    setConfirmDelete(false);
    if (written) router.push(`/config?namespace=${encodeURIComponent(ref.namespace)}`);
  }

  const readOnlyNote = "Only editors can change config; you are signed in as a viewer.";
  const applyTitle = !canEdit ? readOnlyNote : counts.errors > 0 ? `Fix the ${counts.errors} error(s) first` : ref ? `Apply with If-Match version ${baseline?.resourceVersion}` : "Create this resource";

  return (
    <div className={styles.workspace}>
      <div className={styles.editorHeader}>
        <h1>
          <Link href="/config">Istio Config</Link> / {target.kind} / {target.namespace} / {ref?.name ?? <em>new</em>}
        </h1>
        {baseline && <span className="badge">version {baseline.resourceVersion}</span>}
        {dirty && ref && <span className="badge warning">unsaved changes</span>}
      </div>
      {!canEdit && (
        <p className={styles.readOnly} role="note">
          Read-only: {readOnlyNote}
        </p>
      )}
      <div className="toolbar">
        <button type="button" className="primary" data-testid="apply-button" disabled={!canEdit || counts.errors > 0 || actions.busy} title={applyTitle} onClick={apply}>
          {actions.busy ? "Applying…" : ref ? "Apply" : "Create"}
        </button>
        <span className={styles.counts} data-testid="diagnostic-counts">
          {pending ? "validating…" : counts.errors > 0 ? `${counts.errors} error${counts.errors === 1 ? "" : "s"} — Apply is disabled` : "no errors"}
          {counts.warnings > 0 && `, ${counts.warnings} warning${counts.warnings === 1 ? "" : "s"}`}
        </span>
        <span className="topbar-spacer" />
        <button type="button" data-testid="diff-button" aria-pressed={showDiff} onClick={() => setShowDiff(!showDiff)}>
          {showDiff ? "Hide diff" : "Diff"}
        </button>
        {ref && (
          <>
            <button type="button" data-testid="history-button" aria-pressed={showHistory} onClick={() => setShowHistory(!showHistory)}>
              {showHistory ? "Hide history" : "History"}
            </button>
            <button type="button" disabled={!dirty || !baseline} onClick={() => baseline && reload(baseline)} title="Discard your edits and show the stored version">
              Revert
            </button>
            <button type="button" className="danger" data-testid="delete-button" disabled={!canEdit || actions.busy} title={canEdit ? `Delete ${what}` : readOnlyNote} onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </>
        )}
      </div>
      {actions.outcome && (
        <div className={actions.outcome.ok ? styles.success : styles.failure} data-testid={actions.outcome.ok ? "apply-result" : "apply-error"} role={actions.outcome.ok ? "status" : "alert"}>
          {actions.outcome.message}
          {!actions.outcome.ok && actions.outcome.diagnostics.length > 0 && <DiagnosticsList diagnostics={actions.outcome.diagnostics} testId="server-diagnostics" />}
        </div>
      )}
      {contextError && <p className="error">Cannot load the stored config and workloads to check references against: {contextError.message}. Checks within this resource still run.</p>}
      {!ready && !contextError && <p className="muted">Loading the stored config and workloads for cross-resource checks…</p>}
      <div data-testid="yaml-editor">
        <YamlEditor
          ref={editor}
          initialText={initialText}
          readOnly={!canEdit}
          validate={validate}
          onDiagnostics={(d, t) => setLinted({ text: t, diagnostics: d })}
          onChange={setText}
          label={`YAML of ${what}`}
        />
      </div>
      <DiagnosticsList diagnostics={diagnostics} pending={pending} onSelect={(d) => editor.current?.reveal(d)} />
      {showDiff && (
        <div data-testid="diff-view">
          <h2>Changes against the stored version</h2>
          {baseline ? (
            text === baseline.text ? (
              <p className="muted">No changes: the editor matches stored version {baseline.resourceVersion}.</p>
            ) : (
              <DiffView original={baseline.text} modified={text} originalLabel={`Stored (version ${baseline.resourceVersion})`} modifiedLabel="Editor" />
            )
          ) : (
            <DiffView original="" modified={text} originalLabel="Stored (none: this is a new resource)" modifiedLabel="Editor" />
          )}
        </div>
      )}
      {showHistory && ref && (
        <div>
          <h2>History</h2>
          <HistoryPanel {...ref} canEdit={canEdit} busyRevision={rollingBack} onRollback={rollback} />
        </div>
      )}
      {actions.conflict && (
        <ConflictDialog
          what={`${actions.conflict.ref.kind} ${actions.conflict.ref.namespace}/${actions.conflict.ref.name}`}
          theirs={actions.conflict.theirs}
          mine={editor.current?.getText() ?? text}
          busy={actions.busy}
          onKeepMine={keepMine}
          onTakeTheirs={takeTheirs}
          onCancel={actions.closeConflict}
        />
      )}
      {confirmDelete && (
        <ConfirmDialog title={`Delete ${what}?`} confirmLabel="Delete" busy={actions.busy} onConfirm={remove} onCancel={() => setConfirmDelete(false)} testId="delete-dialog">
          <p>The sidecars stop using it within a second. It stays in the history, so a rollback can bring it back.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
