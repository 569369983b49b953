/** A select's choice: a plain value (shown as itself) or a value with its label. */
export type Choice = string | number | { readonly value: string; readonly label: string };

export interface ChoiceList {
  choices: readonly Choice[];
  /** The label of a first option whose value is "" ("All namespaces", "Pick a service", "Loading…"). */
  blank?: string | undefined;
  /** The selected value. */
  current?: string | undefined;
  /**
   * The label for `current` when the choices lack it, so that a value from the URL that
   * is not (or not yet) listed stays selected and visible instead of the select silently
   * showing another one. Without it such a value is not offered.
   */
  unlisted?: ((value: string) => string) | undefined;
}

/** The options of a select, in order: the blank one, an unlisted current value, then the choices. */
export function optionsOf({ choices, blank, current, unlisted }: ChoiceList): { value: string; label: string }[] {
  const listed = choices.map((c) => (typeof c === "object" ? c : { value: String(c), label: String(c) }));
  const out = blank === undefined ? [] : [{ value: "", label: blank }];
  if (unlisted && current && !listed.some((c) => c.value === current)) out.push({ value: current, label: unlisted(current) });
  return [...out, ...listed];
}
