import { Suspense } from "react";
import { OverviewPage } from "@/components/overview/overview-page";

export default function Overview() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <OverviewPage />
    </Suspense>
  );
}
