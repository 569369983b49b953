"use client";
import { MergeView } from "@codemirror/merge";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";
import { editorTheme, yamlBasics } from "./editor-setup";
import styles from "./editor.module.css";

interface Props {
  original: string;
  modified: string;
  originalLabel: string;
  modifiedLabel: string;
  testId?: string;
}

/** Two texts side by side with their changes marked (@codemirror/merge), read-only. */
export function DiffView({ original, modified, originalLabel, modifiedLabel, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const readOnly = [yamlBasics(), editorTheme, EditorState.readOnly.of(true), EditorView.editable.of(false)];
    const merge = new MergeView({
      parent: host.current!,
      a: { doc: original, extensions: readOnly },
      b: { doc: modified, extensions: readOnly },
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    return () => merge.destroy();
  }, [original, modified]);

  return (
    <div className={styles.diff} data-testid={testId}>
      <div className={styles.diffLabels}>
        <span>{originalLabel}</span>
        <span>{modifiedLabel}</span>
      </div>
      <div ref={host} className={styles.diffBody} />
    </div>
  );
}
