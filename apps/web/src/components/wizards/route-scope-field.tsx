"use client";
import type { RouteScope } from "./route-scope";

export function RouteScopeField({ value, onChange }: { value: RouteScope; onChange: (s: RouteScope) => void }) {
  return (
    <label>
      Apply to
      <select value={value} onChange={(e) => onChange(e.currentTarget.value as RouteScope)} data-testid="route-scope">
        <option value="default">The default route (requests no other route matches)</option>
        <option value="all">Every HTTP route of the service</option>
      </select>
    </label>
  );
}
