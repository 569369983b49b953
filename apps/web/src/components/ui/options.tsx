import { optionsOf, type ChoiceList } from "./choices";

/** The <option>s of a select (see optionsOf for their order). */
export function Options(props: ChoiceList) {
  return optionsOf(props).map((o) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  ));
}
