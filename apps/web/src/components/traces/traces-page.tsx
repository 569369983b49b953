"use client";
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { Options } from "@/components/ui/options";
import { summarizeTrace } from "./trace-model";
import { operationsQuery, traceSearchQuery, traceServicesQuery } from "./trace-queries";
import { LIMITS, LOOKBACKS, normalizeDuration, paramsFromSearch, searchFromParams, type TraceSearch } from "./trace-search";
import { TracesScatter } from "./traces-scatter";
import { TracesTable } from "./traces-table";
import styles from "./traces.module.css";

/** Traces list: the search lives in the URL; results as a duration-over-time scatter and a table. */
export function TracesPage() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const search = useMemo(() => searchFromParams(new URLSearchParams(params.toString())), [params]);
  const results = useQuery(traceSearchQuery(search));
  const summaries = useMemo(() => (results.data ?? []).map(summarizeTrace).sort((a, b) => b.startUs - a.startUs), [results.data]);

  function apply(next: TraceSearch) {
    const query = paramsFromSearch(next).toString();
    if (query === params.toString()) void results.refetch();
    else router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }

  return (
    <div className={styles.page}>
      <h1>Traces</h1>
      {/* Keyed by the URL's search so the form resets to it after back/forward. */}
      <SearchForm key={params.toString()} initial={search} onSearch={apply} busy={results.isFetching} />
      {results.isError && (
        <p className="error" role="alert">
          Cannot search traces: {(results.error as Error).message}. The control plane stores the spans; check that it is running.
        </p>
      )}
      <div className="panel">
        <div className={styles.resultsHead}>
          <h2>Duration over time</h2>
          <span className="muted">
            {results.isLoading ? "Searching…" : `${summaries.length} trace${summaries.length === 1 ? "" : "s"}${summaries.length === search.limit ? ` (the limit; narrow the search or raise it)` : ""}`}
            {" · "}
            <span className={styles.legendError} /> has errors · dot size: spans
          </span>
        </div>
        <TracesScatter traces={summaries} onOpen={(id) => router.push(`/traces/${id}`)} />
      </div>
      <TracesTable traces={summaries} loading={results.isLoading} />
    </div>
  );
}

function SearchForm({ initial, onSearch, busy }: { initial: TraceSearch; onSearch: (s: TraceSearch) => void; busy: boolean }) {
  const [draft, setDraft] = useState(initial);
  const [minText, setMinText] = useState(initial.minDuration);
  const services = useQuery(traceServicesQuery);
  const operations = useQuery(operationsQuery(draft.service));
  const min = normalizeDuration(minText);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (min === undefined) return;
    onSearch({ ...draft, minDuration: min });
  }

  return (
    <form className={`panel ${styles.form}`} onSubmit={submit} aria-label="Search traces">
      <label>
        Service
        <select data-testid="traces-service" value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value, operation: "" })}>
          <Options blank="All services" choices={services.data ?? []} current={draft.service} unlisted={(s) => s} />
        </select>
      </label>
      <label>
        Operation
        <select data-testid="traces-operation" value={draft.operation} onChange={(e) => setDraft({ ...draft, operation: e.target.value })} disabled={!draft.service}>
          <Options blank="All operations" choices={operations.data ?? []} current={draft.operation} unlisted={(o) => o} />
        </select>
      </label>
      <label>
        Min duration
        <input data-testid="traces-min-duration" value={minText} onChange={(e) => setMinText(e.target.value)} placeholder="e.g. 100ms" size={10} aria-invalid={min === undefined} />
        {min === undefined && <span className="error">Use a duration like 100ms or 1.5s</span>}
      </label>
      <label>
        Time
        <select data-testid="traces-lookback" value={draft.lookback} onChange={(e) => setDraft({ ...draft, lookback: e.target.value })}>
          <Options choices={LOOKBACKS} />
        </select>
      </label>
      <label>
        Limit
        <select data-testid="traces-limit" value={draft.limit} onChange={(e) => setDraft({ ...draft, limit: Number(e.target.value) })}>
          <Options choices={LIMITS} />
        </select>
      </label>
      <label className={styles.checkbox}>
        <input type="checkbox" data-testid="traces-errors-only" checked={draft.errorsOnly} onChange={(e) => setDraft({ ...draft, errorsOnly: e.target.checked })} />
        Errors only
      </label>
      <button type="submit" className="primary" data-testid="traces-search" disabled={busy || min === undefined}>
        {busy ? "Searching…" : "Search"}
      </button>
      {services.isError && <span className="error">Cannot list services: {(services.error as Error).message}</span>}
    </form>
  );
}
