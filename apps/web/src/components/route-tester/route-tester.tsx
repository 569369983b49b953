"use client";
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import type { ProxyStatus } from "@skein/shared/browser";
import { ApiFailure, apiSend } from "@/client/api";
import { workloadsQuery } from "@/client/config/queries";
import { routeTestKeys } from "@/client/query-keys";
import { Options } from "@/components/ui/options";
import type { RouteTestResult } from "@/server/route-test/result";
import { formFromParams, isComplete, METHODS, paramsFromForm, parseHeaderLines, requestOf, type RouteTestForm } from "./route-test-params";
import { RouteTestAnswer } from "./route-test-answer";
import styles from "./route-tester.module.css";

export type RouteTestResponse = RouteTestResult & { proxy?: ProxyStatus };

function routeTestQuery(form: RouteTestForm) {
  return {
    queryKey: routeTestKeys.result(form),
    queryFn: () => apiSend<RouteTestResponse>("POST", "/api/route-test", requestOf(form)),
    // Config changes under a question asked again: always ask the server.
    staleTime: 0,
    retry: false,
  };
}

/** Route tester: the form's inputs live in the URL; the answer is fetched for what the URL asks. */
export function RouteTester() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const asked = useMemo(() => formFromParams(new URLSearchParams(params.toString())), [params]);
  const [draft, setDraft] = useState<RouteTestForm>(asked);
  useEffect(() => setDraft(asked), [asked]);

  const workloads = useQuery(workloadsQuery());
  const sources = useMemo(() => (workloads.data ?? []).map((w) => `${w.namespace}/${w.name}`).sort(), [workloads.data]);
  const answer = useQuery({ ...routeTestQuery(asked), enabled: isComplete(asked) });
  const headerErrors = parseHeaderLines(draft.headers).errors;

  function submit(e: FormEvent) {
    e.preventDefault();
    const next = paramsFromForm({ ...draft, source: draft.source || sources[0] || "" });
    if (next.toString() === new URLSearchParams(params.toString()).toString()) void answer.refetch();
    else router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  }

  const set = (field: keyof RouteTestForm) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));

  return (
    <div className={styles.page}>
      <h1>Route tester</h1>
      <p className={`muted ${styles.intro}`}>
        Where a request from a workload&apos;s sidecar goes: computed from the control plane&apos;s config and registry with the sidecar&apos;s own compiler and route matching.
      </p>
      <form className={`panel ${styles.form}`} onSubmit={submit} aria-label="Request to test">
        <label>
          Source workload
          <select data-testid="rt-source" value={draft.source || sources[0] || ""} onChange={set("source")} required>
            <Options blank={workloads.isLoading ? "Loading workloads…" : undefined} choices={sources} current={draft.source} unlisted={(s) => `${s} (not registered)`} />
          </select>
        </label>
        <label>
          Method
          <select data-testid="rt-method" value={draft.method} onChange={set("method")}>
            <Options choices={METHODS} />
          </select>
        </label>
        <label className={styles.grow}>
          Host
          <input data-testid="rt-host" value={draft.host} onChange={set("host")} placeholder="reviews:9080" required spellCheck={false} />
        </label>
        <label className={styles.grow}>
          Path
          <input data-testid="rt-path" value={draft.path} onChange={set("path")} placeholder="/reviews/1" spellCheck={false} />
        </label>
        <label className={styles.headers}>
          Headers (one name: value per line)
          <textarea data-testid="rt-headers" value={draft.headers} onChange={set("headers")} rows={3} placeholder="end-user: jason" spellCheck={false} />
          {headerErrors.length > 0 && <span className="error">Line {headerErrors.map((e) => e.line).join(", ")}: not a name: value header; ignored.</span>}
        </label>
        <div className={styles.actions}>
          <button type="submit" className="primary" data-testid="rt-submit" disabled={answer.isFetching}>
            {answer.isFetching ? "Testing…" : "Test route"}
          </button>
        </div>
      </form>
      {workloads.isError && <p className="error">Cannot list workloads: {(workloads.error as Error).message}</p>}
      {answer.isError && <p className="error" role="alert">The route test failed: {failureText(answer.error)}</p>}
      {answer.data && <RouteTestAnswer result={answer.data} proxy={answer.data.proxy} />}
    </div>
  );
}

function failureText(e: unknown): string {
  if (e instanceof ApiFailure) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
