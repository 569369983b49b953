"use client";
import { useEffect, useRef, type ReactNode } from "react";
import styles from "./config.module.css";

/** A modal question in the page (not window.confirm, which browser tests and screen readers handle poorly). */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy, testId }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; busy?: boolean; testId: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={styles.dialog} data-testid={testId} aria-labelledby={`${testId}-title`} onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2 id={`${testId}-title`}>{title}</h2>
      <div>{children}</div>
      <div className="toolbar" style={{ justifyContent: "flex-end", marginTop: 14 }}>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={onConfirm} disabled={busy} data-testid={`${testId}-confirm`}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
