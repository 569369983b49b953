"use client";
import { useEffect, useRef } from "react";
import { DiffView } from "../editor/diff-view";
import styles from "./config.module.css";

interface Props {
  what: string;
  theirs: { text: string; resourceVersion: string; author?: string };
  mine: string;
  busy: boolean;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
  onCancel: () => void;
}

/**
 * Someone changed the resource after it was loaded: show their version beside this one
 * and let the author choose. Nothing is overwritten without that choice.
 */
export function ConflictDialog({ what, theirs, mine, busy, onKeepMine, onTakeTheirs, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={`${styles.dialog} ${styles.wide}`} data-testid="conflict-dialog" aria-labelledby="conflict-title" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2 id="conflict-title">{what} changed while you were editing</h2>
      <p className="muted">
        The stored version is now {theirs.resourceVersion}
        {theirs.author ? `, last changed by ${theirs.author}` : ""}. Your edit was not applied. Compare the two and choose which one to keep.
      </p>
      <DiffView original={theirs.text} modified={mine} originalLabel={`Theirs (stored, version ${theirs.resourceVersion})`} modifiedLabel="Yours (in the editor)" testId="conflict-diff" />
      <div className="toolbar" style={{ justifyContent: "flex-end", marginTop: 14 }}>
        <button type="button" onClick={onCancel} disabled={busy}>
          Decide later
        </button>
        <button type="button" onClick={onTakeTheirs} disabled={busy} data-testid="conflict-take-theirs">
          Take theirs
        </button>
        <button type="button" className="primary" onClick={onKeepMine} disabled={busy} data-testid="conflict-keep-mine">
          Keep mine (re-apply on top of theirs)
        </button>
      </div>
    </dialog>
  );
}
