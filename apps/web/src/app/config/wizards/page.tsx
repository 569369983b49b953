import Link from "next/link";
import { WIZARDS } from "@/components/wizards/wizard-ids";

export const metadata = { title: "Wizards · Skein" };

/** /config/wizards: the wizards, each opening with the service picker. */
export default async function WizardsIndex({ searchParams }: { searchParams: Promise<{ namespace?: string; service?: string }> }) {
  const q = await searchParams;
  const query = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === "string")).toString();
  return (
    <div>
      <h1>
        <Link href="/config">Istio Config</Link> / Wizards
      </h1>
      <ul>
        {WIZARDS.map((w) => (
          <li key={w.id} style={{ margin: "8px 0" }}>
            <Link href={`/config/wizards/${w.id}${query ? `?${query}` : ""}`}>{w.title}</Link> — <span className="muted">{w.description}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
