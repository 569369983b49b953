import { Suspense } from "react";
import { WorkloadDetail } from "@/components/workloads/workload-detail";

export default async function WorkloadPage({ params }: { params: Promise<{ namespace: string; name: string }> }) {
  const { namespace, name } = await params;
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <WorkloadDetail namespace={decodeURIComponent(namespace)} name={decodeURIComponent(name)} />
    </Suspense>
  );
}
