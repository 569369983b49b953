"use client";
import { DiffView } from "../editor/diff-view";
import { ModalDialog } from "./modal-dialog";

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
  return (
    <ModalDialog
      testId="conflict-dialog"
      title={`${what} changed while you were editing`}
      wide
      onCancel={onCancel}
      actions={
        <>
          <button type="button" onClick={onCancel} disabled={busy}>
            Decide later
          </button>
          <button type="button" onClick={onTakeTheirs} disabled={busy} data-testid="conflict-take-theirs">
            Take theirs
          </button>
          <button type="button" className="primary" onClick={onKeepMine} disabled={busy} data-testid="conflict-keep-mine">
            Keep mine (re-apply on top of theirs)
          </button>
        </>
      }
    >
      <p className="muted">
        The stored version is now {theirs.resourceVersion}
        {theirs.author ? `, last changed by ${theirs.author}` : ""}. Your edit was not applied. Compare the two and choose which one to keep.
      </p>
      <DiffView original={theirs.text} modified={mine} originalLabel={`Theirs (stored, version ${theirs.resourceVersion})`} modifiedLabel="Yours (in the editor)" testId="conflict-diff" />
    </ModalDialog>
  );
}
