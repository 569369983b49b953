import { notFound } from "next/navigation";
import { Suspense } from "react";
import { WizardPage } from "@/components/wizards/wizard-page";
import { isWizardId, WIZARDS } from "@/components/wizards/wizard-ids";

type Props = { params: Promise<{ wizard: string }> };

export async function generateMetadata({ params }: Props) {
  const { wizard } = await params;
  return { title: `${WIZARDS.find((w) => w.id === wizard)?.title ?? "Wizard"} · Skein` };
}

export default async function Page({ params }: Props) {
  const { wizard } = await params;
  if (!isWizardId(wizard)) notFound();
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <WizardPage wizard={wizard} />
    </Suspense>
  );
}
