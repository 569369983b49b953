import { createServer } from "node:net";
import type { MeshWorkload } from "./mesh-file.ts";

export interface InstancePorts {
  app: number;
  inbound: number;
  outbound: number;
  metrics: number;
}

export interface PlannedInstance {
  workload: MeshWorkload;
  /** `<name>` for one replica, `<name>-<i>` otherwise. */
  instance: string;
  ports: InstancePorts;
}

/** Four ports per instance from `base`, in file order: app, inbound, outbound, metrics. */
export function planPorts(workloads: readonly MeshWorkload[], base: number): PlannedInstance[] {
  const out: PlannedInstance[] = [];
  let next = base;
  for (const w of workloads) {
    for (let i = 0; i < w.replicas; i++) {
      out.push({ workload: w, instance: w.replicas === 1 ? w.name : `${w.name}-${i}`, ports: { app: next, inbound: next + 1, outbound: next + 2, metrics: next + 3 } });
      next += 4;
    }
  }
  return out;
}

/** Resolves to the ports among `ports` that something on 127.0.0.1 already holds. */
export async function portsInUse(ports: readonly number[], host = "127.0.0.1"): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}
