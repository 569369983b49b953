import { Suspense } from "react";
import { preload } from "react-dom";
import { GraphPage } from "@/components/graph/graph-page";
import { drawsBeforeResponseTime, graphApiPath, graphQueryParams, readView } from "@/client/graph/url-state";

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The home page: the live service graph. The view is in the URL, read on the client; when
 * the URL names the namespaces, the browser is told to fetch the graph at once, so the
 * graph query overlaps loading the page's scripts instead of following them.
 */
export default async function Home({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const path = graphPreloadPath(await searchParams);
  if (path) preload(path, { as: "fetch", crossOrigin: "anonymous" });
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <GraphPage />
    </Suspense>
  );
}

/** The graph the page asks for first: with p95 labels, the one it draws before p95 comes (GraphPage). */
function graphPreloadPath(searchParams: SearchParams): string | undefined {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    if (typeof value === "string") query.set(key, value);
  }
  const view = readView(query);
  if (!view.namespaces || view.namespaces.length === 0) return undefined;
  const params = graphQueryParams(view, view.namespaces);
  return graphApiPath(drawsBeforeResponseTime(view) ? { ...params, responseTime: false } : params);
}
