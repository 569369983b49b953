/** The wizards, by the URL segment that opens each (/config/wizards/<id>). */
export const WIZARDS = [
  { id: "traffic-shifting", title: "Traffic shifting", description: "Split the service's traffic across its versions by weight (canary rollout)." },
  { id: "request-routing", title: "Header-based routing", description: "Send requests carrying a header (canary users) to one version, the rest to another." },
  { id: "fault-injection", title: "Fault injection", description: "Delay or abort a share of requests to test how callers cope." },
  { id: "timeouts-retries", title: "Timeouts and retries", description: "Bound how long a request may take and how it is retried." },
  { id: "circuit-breaking", title: "Circuit breaking", description: "Limit connections and pending requests, and eject failing endpoints." },
] as const;

export type WizardId = (typeof WIZARDS)[number]["id"];

export function isWizardId(id: string): id is WizardId {
  return WIZARDS.some((w) => w.id === id);
}
