import { Suspense } from "react";
import { GraphPage } from "@/components/graph/graph-page";

/** The home page: the live service graph. The view is in the URL, read on the client. */
export default function Home() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <GraphPage />
    </Suspense>
  );
}
