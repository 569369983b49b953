import { Suspense } from "react";
import { preload } from "react-dom";
import { GraphPage } from "@/components/graph/graph-page";
import { graphApiPath, graphQueryParams, readView } from "@/client/graph/url-state";

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

function graphPreloadPath(searchParams: SearchParams): string | undefined {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    if (typeof value === "string") params.set(key, value);
  }
  const view = readView(params);
  if (!view.namespaces || view.namespaces.length === 0) return undefined;
  return graphApiPath(graphQueryParams(view, view.namespaces));
}
