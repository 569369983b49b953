import { ResourceEditor } from "@/components/config/resource-editor";

type Props = { searchParams: Promise<{ kind?: string; namespace?: string }> };

export const metadata = { title: "New resource · Skein" };

export default async function NewResourcePage({ searchParams }: Props) {
  const q = await searchParams;
  return <ResourceEditor target={{ mode: "new", kind: q.kind ?? "VirtualService", namespace: q.namespace || "default" }} />;
}
