"use client";
import { useQuery } from "@tanstack/react-query";
import { validateSources, type Diagnostic } from "@skein/shared/browser";
import { useCallback, useMemo } from "react";
import { resourcesQuery, workloadsQuery } from "./queries";
import { configValidationContext } from "./validation-context";

/**
 * The shared validator bound to what is stored and registered now, for text that is
 * being edited: `validate(text)` returns its diagnostics. `ready` turns true once the
 * context has loaded (until then cross-resource checks see nothing).
 */
export function useConfigValidation(file: string, defaultNamespace: string) {
  const resources = useQuery(resourcesQuery());
  const workloads = useQuery(workloadsQuery());
  const context = useMemo(() => configValidationContext(resources.data ?? [], workloads.data ?? []), [resources.data, workloads.data]);
  const validate = useCallback(
    (text: string): Diagnostic[] => validateSources([{ file, text }], { defaultNamespace, context }).files.flatMap((f) => f.diagnostics),
    [context, file, defaultNamespace],
  );
  return { validate, ready: resources.isSuccess && workloads.isSuccess, contextError: resources.error ?? workloads.error, resources: resources.data, workloads: workloads.data };
}
