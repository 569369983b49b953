import { ResourceEditor } from "@/components/config/resource-editor";

type Props = { params: Promise<{ kind: string; namespace: string; name: string }>; searchParams: Promise<{ created?: string }> };

export async function generateMetadata({ params }: Props) {
  const p = await params;
  return { title: `${decodeURIComponent(p.kind)} ${decodeURIComponent(p.namespace)}/${decodeURIComponent(p.name)} · Skein` };
}

export default async function ResourcePage({ params, searchParams }: Props) {
  const p = await params;
  const q = await searchParams;
  return <ResourceEditor target={{ mode: "existing", kind: decodeURIComponent(p.kind), namespace: decodeURIComponent(p.namespace), name: decodeURIComponent(p.name) }} created={q.created === "1"} />;
}
