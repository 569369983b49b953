import { Suspense } from "react";
import { ConfigList } from "@/components/config/config-list";

export const metadata = { title: "Istio Config · Skein" };

export default function ConfigPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <ConfigList />
    </Suspense>
  );
}
