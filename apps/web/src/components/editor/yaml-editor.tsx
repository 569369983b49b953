"use client";
import { Compartment, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import type { Diagnostic } from "@skein/shared/browser";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { diagnosticRange } from "./diagnostic-range";
import { editorTheme, validationContextChanged, validationLinter, yamlBasics } from "./editor-setup";
import styles from "./editor.module.css";

export interface YamlEditorHandle {
  /** Replaces the whole text (taking theirs, a rollback), as one undoable change. */
  setText(text: string): void;
  getText(): string;
  /** Validates again now, e.g. when the resources it is checked against changed. */
  revalidate(): void;
  /** Selects a diagnostic's range and scrolls it into view. */
  reveal(at: { line: number; column: number }): void;
}

interface Props {
  initialText: string;
  readOnly: boolean;
  validate: (text: string) => Diagnostic[];
  onDiagnostics: (diagnostics: Diagnostic[], text: string) => void;
  onChange: (text: string) => void;
  label: string;
}

/** A CodeMirror 6 YAML editor with the shared validator's diagnostics inline and schema completion. */
export const YamlEditor = forwardRef<YamlEditorHandle, Props>(function YamlEditor({ initialText, readOnly, validate, onDiagnostics, onChange, label }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const editable = useRef(new Compartment());
  // The view is made once; these refs let it call the latest callbacks.
  const latest = useRef({ validate, onDiagnostics, onChange });
  latest.current = { validate, onDiagnostics, onChange };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          yamlBasics(),
          editorTheme,
          editable.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          validationLinter(
            (text) => latest.current.validate(text),
            (d, text) => latest.current.onDiagnostics(d, text),
          ),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ "aria-label": label }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The document lives in the view from here on: later initialText and readOnly values reach it through setText and the effect below.
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
  }, [readOnly]);

  useImperativeHandle(ref, () => ({
    setText(text: string) {
      const v = view.current;
      if (v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    },
    getText: () => view.current?.state.doc.toString() ?? "",
    revalidate() {
      view.current?.dispatch({ effects: validationContextChanged.of(null) });
    },
    reveal(at) {
      const v = view.current;
      if (!v) return;
      const { from, to } = diagnosticRange(v.state.doc.toString(), at);
      v.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
      v.focus();
    },
  }));

  return <div ref={host} className={styles.editor} />;
});
