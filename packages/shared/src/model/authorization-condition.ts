import * as z from "zod";
import { attributeError, CONDITION_KEYS } from "./authorization-values.ts";
import { Code } from "./codes.ts";
import { didYouMean, obj, report } from "./common.ts";

/** Attributes whose values need a particular form; a bad value there is an address or port error. */
const ADDRESS_KEYS = new Set(["source.ip", "remote.ip", "destination.ip"]);

/** Reports each bad value at its index; a fault of the list as a whole at the list. */
function checkValues(key: string, field: string, label: string, values: readonly string[], ctx: z.RefinementCtx): void {
  const code = ADDRESS_KEYS.has(key) ? Code.invalidAddress : Code.invalidValue;
  let found = false;
  values.forEach((v, i) => {
    const err = attributeError(key, [v]);
    if (err) report(ctx, v === "" ? Code.emptyValue : code, `invalid \`${label}\` for \`key\` ${key}: ${err}`, [field, i]);
    found ||= err !== undefined;
  });
  const listError = found ? undefined : attributeError(key, values);
  if (listError) report(ctx, code, `invalid \`${label}\` for \`key\` ${key}: ${listError}`, [field]);
}

/**
 * Istio's Condition: a `when` clause of an authorization rule, true when the attribute
 * `key` matches one of `values` and none of `notValues`.
 */
export const authorizationCondition = obj({
  key: z.string(),
  values: z.array(z.string()).optional(),
  notValues: z.array(z.string()).optional(),
}).superRefine((cond, ctx) => {
  if (cond.key === "") {
    report(ctx, Code.requiredField, "`key` must not be empty", ["key"]);
    return;
  }
  const values = cond.values ?? [];
  const notValues = cond.notValues ?? [];
  if (values.length === 0 && notValues.length === 0) {
    report(ctx, Code.requiredField, `at least one of \`values\` or \`notValues\` must be set for key ${cond.key}`);
    return;
  }
  const keyError = attributeError(cond.key, []);
  if (keyError) {
    // The key itself is wrong; say so once, at the key, with a hint for a misspelling.
    const hint = keyError.startsWith("unknown attribute") ? didYouMean(cond.key, CONDITION_KEYS) : "";
    report(ctx, Code.invalidValue, `invalid \`value\` for \`key\` ${cond.key}: ${keyError}${hint}`, ["key"]);
    return;
  }
  checkValues(cond.key, "values", "value", values, ctx);
  checkValues(cond.key, "notValues", "notValue", notValues, ctx);
});

export type AuthorizationCondition = z.infer<typeof authorizationCondition>;
