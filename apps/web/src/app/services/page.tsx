import { Suspense } from "react";
import { ServicesList } from "@/components/services/services-list";

export default function Services() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <ServicesList />
    </Suspense>
  );
}
