import { Suspense } from "react";
import { WorkloadsList } from "@/components/workloads/workloads-list";

export default function Workloads() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <WorkloadsList />
    </Suspense>
  );
}
