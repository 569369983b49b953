import { Suspense } from "react";
import { TracesPage } from "@/components/traces/traces-page";

export default function Traces() {
  // The search lives in the URL, which needs a Suspense boundary when prerendered.
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <TracesPage />
    </Suspense>
  );
}
