"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { nodeConfigQuery } from "@/client/graph/queries";
import type { Params } from "@/client/graph/selection";
import { GridTable } from "@/components/ui/grid-table";

/** The Istio config that applies (VirtualServices, DestinationRules, PeerAuthentications, AuthorizationPolicies), with validation status. */
export function AppliedConfig({ params, testId }: { params: Params; testId: string }) {
  const q = useQuery(nodeConfigQuery(params));
  return (
    <section className="panel" data-testid={testId} aria-label="Istio config that applies">
      <h2>Istio config that applies</h2>
      {q.isError && <p className="error">Cannot read the config: {(q.error as Error).message}</p>}
      {q.isLoading && <p className="muted">Loading…</p>}
      {q.data && q.data.items.length === 0 && <p className="muted">No VirtualService, DestinationRule, PeerAuthentication or AuthorizationPolicy applies: Istio&apos;s defaults are in force.</p>}
      {q.data && q.data.items.length > 0 && (
        <GridTable columns={["Kind", "Name", "Why it applies", "Validation"]}>
          {q.data.items.map((c) => (
            <tr key={`${c.kind}/${c.namespace}/${c.name}`} data-testid="applied-config-row">
              <td>{c.kind}</td>
              <td>
                <Link href={`/config/${c.kind}/${c.namespace}/${c.name}`}>
                  {c.namespace}/{c.name}
                </Link>
              </td>
              <td className="muted">{c.reason}</td>
              <td>
                <span className={`badge ${c.status}`} title={c.messages.map((m) => m.message).join("\n")}>
                  {c.status}
                </span>
              </td>
            </tr>
          ))}
        </GridTable>
      )}
    </section>
  );
}
