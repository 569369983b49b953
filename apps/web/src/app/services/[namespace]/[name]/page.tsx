import { Suspense } from "react";
import { ServiceDetail } from "@/components/services/service-detail";

export default async function ServicePage({ params }: { params: Promise<{ namespace: string; name: string }> }) {
  const { namespace, name } = await params;
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <ServiceDetail namespace={decodeURIComponent(namespace)} name={decodeURIComponent(name)} />
    </Suspense>
  );
}
