"use client";
import { useEffect, useRef, type ReactNode } from "react";
import styles from "./config.module.css";

interface Props {
  /** Also names the title's id, `<testId>-title`. */
  testId: string;
  title: ReactNode;
  wide?: boolean;
  /** Escape and the dismiss button call this; the dialog does not close itself. */
  onCancel: () => void;
  /** The buttons, right-aligned below the content. */
  actions: ReactNode;
  children: ReactNode;
}

/**
 * A modal in the page (not window.confirm, which browser tests and screen readers handle
 * poorly), open while it is mounted.
 */
export function ModalDialog({ testId, title, wide, onCancel, actions, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={wide ? `${styles.dialog} ${styles.wide}` : styles.dialog} data-testid={testId} aria-labelledby={`${testId}-title`} onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2 id={`${testId}-title`}>{title}</h2>
      {children}
      <div className="toolbar" style={{ justifyContent: "flex-end", marginTop: 14 }}>
        {actions}
      </div>
    </dialog>
  );
}
