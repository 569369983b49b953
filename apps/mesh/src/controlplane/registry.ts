import { registryFromWorkloads, registryKubernetesObjects, registryValidationContext, type LoadedResource, type ServiceRegistry, type Workload, workloadSchema } from "@skein/shared";
import { readFile } from "node:fs/promises";
import { realTimers, type TimerFactory, type TimerHandle } from "../proxy/clock.ts";
import { writeFileAtomic } from "../proxy/snapshot-cache.ts";

export interface RegistryOptions {
  /**
   * How long a workload stays registered after its last stream closed. A sidecar that
   * reconnects within it (a control-plane blip, a restart) does not make every peer's
   * endpoints flap out and back in.
   */
  graceMs?: number;
  timers?: TimerFactory;
  /** Kubernetes' cluster domain, for service hosts `<svc>.<ns>.svc.<domain>`. */
  clusterDomain?: string;
  /**
   * Where the registry is saved, so a restarted control plane knows the mesh before the
   * sidecars reconnect: pushing the first one to come back a mesh without the others
   * would send its traffic nowhere.
   */
  stateFile?: string;
  /** How long a workload restored from the state file waits for its sidecar (which reconnects with back-off). */
  restoreGraceMs?: number;
  log?: (line: string) => void;
}

export interface WorkloadLease {
  /** The stream closed; idempotent. */
  release(): void;
}

interface Entry {
  workload: Workload;
  streams: number;
  removal?: TimerHandle;
}

export const defaultGraceMs = 10_000;
export const defaultRestoreGraceMs = 30_000;
/** Saves are coalesced: a thousand sidecars connecting write the file a few times, not a thousand. */
const SAVE_DELAY_MS = 100;

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * The workloads of the mesh, as their sidecars registered them. A workload is alive
 * while a stream of its sidecar is open (Istio's xDS connection plays this role too);
 * it is gone a grace period after the last one closed.
 */
export class WorkloadRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly graceMs: number;
  private readonly timers: TimerFactory;
  private readonly clusterDomain: string;
  private cached: ServiceRegistry | undefined;
  private saveTimer: TimerHandle | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly options: RegistryOptions = {}) {
    this.graceMs = options.graceMs ?? defaultGraceMs;
    this.timers = options.timers ?? realTimers;
    this.clusterDomain = options.clusterDomain ?? "cluster.local";
  }

  /**
   * A registry holding the workloads of the state file, each as if its stream had just
   * closed: it stays for restoreGraceMs unless its sidecar reconnects.
   */
  static async restore(options: RegistryOptions & { stateFile: string }): Promise<WorkloadRegistry> {
    const registry = new WorkloadRegistry(options);
    let saved: Workload[];
    try {
      const parsed = workloadSchema.array().safeParse(JSON.parse(await readFile(options.stateFile, "utf8")));
      if (!parsed.success) throw new Error("not a list of workloads");
      saved = parsed.data;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") options.log?.(`ignoring saved registry ${options.stateFile}: ${(e as Error).message}`);
      saved = [];
    }
    for (const w of saved) {
      const key = keyOf(w.namespace, w.name);
      const entry: Entry = { workload: w, streams: 0 };
      entry.removal = registry.timers.setTimeout(() => registry.expire(key, entry), options.restoreGraceMs ?? defaultRestoreGraceMs);
      registry.entries.set(key, entry);
    }
    return registry;
  }

  /** Registers (or updates) a workload for as long as the returned lease is held. */
  register(workload: Workload): WorkloadLease {
    const key = keyOf(workload.namespace, workload.name);
    const entry = this.entries.get(key);
    if (entry) {
      entry.removal?.cancel();
      delete entry.removal;
      entry.streams++;
      if (canonical(entry.workload) !== canonical(workload)) {
        entry.workload = workload;
        this.changed();
      }
    } else {
      this.entries.set(key, { workload, streams: 1 });
      this.changed();
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const e = this.entries.get(key);
        if (!e || --e.streams > 0) return;
        e.removal = this.timers.setTimeout(() => this.expire(key, e), this.graceMs);
      },
    };
  }

  get(namespace: string, name: string): Workload | undefined {
    return this.entries.get(keyOf(namespace, name))?.workload;
  }

  /** Every registered workload, ordered by namespace and name. */
  list(): Workload[] {
    return [...this.entries.keys()].sort().map((k) => this.entries.get(k)!.workload);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The registry the compiler works from. Workloads that name the same service in one
   * namespace are its endpoints, reached at their sidecar's inbound listener (which
   * forwards to the app whatever the service port), so every port name maps to it.
   */
  serviceRegistry(): ServiceRegistry {
    return (this.cached ??= registryFromWorkloads(this.list(), this.clusterDomain));
  }

  /** The workloads as Kubernetes would show them, for the validator's cross-resource checks. */
  kubernetesObjects(): Record<string, unknown>[] {
    return registryKubernetesObjects(this.list());
  }

  /** kubernetesObjects() in the form `validateSources({ context })` takes. */
  validationContext(): LoadedResource[] {
    return registryValidationContext(this.list());
  }

  /** Cancels pending deregistrations and writes the state file a last time (shutdown). */
  async close(): Promise<void> {
    for (const e of this.entries.values()) e.removal?.cancel();
    if (this.saveTimer) {
      this.saveTimer.cancel();
      this.save();
    }
    await this.saving;
  }

  private expire(key: string, e: Entry): void {
    if (this.entries.get(key) !== e || e.streams > 0) return;
    this.entries.delete(key);
    this.changed();
  }

  private save(): void {
    this.saveTimer = undefined;
    const path = this.options.stateFile!;
    const text = JSON.stringify(this.list());
    this.saving = this.saving.then(() => writeFileAtomic(path, text, 0o600)).catch((e: Error) => this.options.log?.(`cannot save the registry to ${path}: ${e.message}`));
  }

  private changed(): void {
    this.cached = undefined;
    if (this.options.stateFile && !this.saveTimer) this.saveTimer = this.timers.setTimeout(() => this.save(), SAVE_DELAY_MS);
    for (const l of this.listeners) l();
  }
}

/** JSON with sorted keys, so two registrations of one workload compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
