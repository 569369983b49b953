import { Suspense } from "react";
import { TraceView } from "@/components/traces/trace-view";

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <TraceView traceId={traceId} />
    </Suspense>
  );
}
