import { Suspense } from "react";
import { RouteTester } from "@/components/route-tester/route-tester";

export default function RouteTesterPage() {
  // The form reads its inputs from the URL, which needs a Suspense boundary when prerendered.
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <RouteTester />
    </Suspense>
  );
}
