import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionSource } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, lintKeymap, linter, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState, StateEffect, type Extension } from "@codemirror/state";
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from "@codemirror/view";
import { ISTIO_KINDS, jsonSchemaFor, type Diagnostic } from "@skein/shared/browser";
import { diagnosticRange } from "./diagnostic-range";
import { schemaOptions, type JsonSchema } from "./schema-completion";
import { documentKind, yamlCursorAt } from "./yaml-path";

/** How long typing must pause before the document is validated again. */
export const LINT_DELAY_MS = 300;

/** The editing basics (CodeMirror's basicSetup, minus search) with YAML's two-space indent. */
export function yamlBasics(): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    EditorState.tabSize.of(2),
    indentUnit.of("  "),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
    yaml(),
  ];
}

const schemaCache = new Map<string, JsonSchema>();

/** A document whose kind is not (yet) a modelled one is offered the resource envelope and the kinds. */
const ENVELOPE: JsonSchema = {
  type: "object",
  properties: {
    apiVersion: { type: "string", enum: [...new Set(ISTIO_KINDS.map((k) => `${k.group}/${k.versions[0]}`))] },
    kind: { type: "string", enum: ISTIO_KINDS.map((k) => k.kind) },
    metadata: { type: "object", properties: { name: { type: "string" }, namespace: { type: "string" }, labels: { type: "object" }, annotations: { type: "object" } } },
    spec: { type: "object" },
  },
};

function schemaFor(kind: string | undefined): JsonSchema {
  if (!kind) return ENVELOPE;
  let s = schemaCache.get(kind);
  if (!s) {
    s = jsonSchemaFor(kind) ?? ENVELOPE;
    schemaCache.set(kind, s);
  }
  return s;
}

/** Field names and enum values from the JSON Schema generated from the zod models. */
export const schemaCompletion: CompletionSource = (ctx) => {
  const text = ctx.state.doc.toString();
  const cursor = yamlCursorAt(text, ctx.pos);
  if (!cursor) return null;
  // An empty key position pops up only on request (Ctrl-Space), not on every new line.
  if (cursor.at === "key" && cursor.prefix === "" && !ctx.explicit) return null;
  const options = schemaOptions(schemaFor(documentKind(text, ctx.pos)), cursor);
  if (options.length === 0) return null;
  return {
    from: cursor.from,
    options: options.map((o) => ({ label: o.label, apply: o.apply, type: o.type, ...(o.detail ? { detail: o.detail } : {}) })),
    validFor: /^[\w./-]*$/,
  };
};

export function lintDiagnostics(text: string, diagnostics: readonly Diagnostic[]): LintDiagnostic[] {
  return diagnostics.map((d) => ({
    ...diagnosticRange(text, d),
    severity: d.severity,
    message: `${d.message}${d.path ? ` (${d.path})` : ""}`,
    source: d.code,
  }));
}

/** Dispatched when what the text is validated against changed (stored config, workloads): validate again. */
export const validationContextChanged = StateEffect.define<null>();

/**
 * Validation as you type: `validate` runs LINT_DELAY_MS after the last change, its
 * findings become inline marks, and `publish` hands them to the page (the list under the
 * editor, the Apply button).
 */
export function validationLinter(validate: (text: string) => Diagnostic[], publish: (diagnostics: Diagnostic[], text: string) => void): Extension[] {
  return [
    linter(
      (view) => {
        const text = view.state.doc.toString();
        const found = validate(text);
        publish(found, text);
        return lintDiagnostics(text, found);
      },
      { delay: LINT_DELAY_MS, needsRefresh: (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(validationContextChanged))) },
    ),
    lintGutter(),
    autocompletion({ override: [schemaCompletion], activateOnTyping: true }),
  ];
}

export const editorTheme = EditorView.theme({
  "&": { fontSize: "13px", backgroundColor: "#fff" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "#fafbfc", borderRight: "1px solid var(--border)" },
  "&.cm-focused": { outline: "none" },
  // The merge view's fold marker glyph is missing from common Linux fonts.
  ".cm-collapsedLines:before": { content: '"…"' },
  ".cm-collapsedLines:after": { content: '"…"' },
});
