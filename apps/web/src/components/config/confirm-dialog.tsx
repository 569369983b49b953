"use client";
import type { ReactNode } from "react";
import { ModalDialog } from "./modal-dialog";

/** A yes/no question before a change that cannot be taken back by closing the page. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy, testId }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean; testId: string }) {
  return (
    <ModalDialog
      testId={testId}
      title={title}
      onCancel={onCancel}
      actions={
        <>
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={onConfirm} disabled={busy} data-testid={`${testId}-confirm`}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <div>{children}</div>
    </ModalDialog>
  );
}
