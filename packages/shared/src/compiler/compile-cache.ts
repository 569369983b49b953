/**
 * A piece of a compiled snapshot (one virtual host, one cluster) with its JSON, which is
 * written once however many snapshots include it.
 */
export class Fragment<T> {
  private text: string | undefined;

  constructor(
    readonly name: string,
    readonly value: T,
  ) {}

  get json(): string {
    return (this.text ??= JSON.stringify(this.value));
  }
}

interface Entry {
  deps: readonly unknown[];
  value: unknown;
  usedIn: number;
}

/**
 * Compiled fragments kept from one push to the next, after Istio's XdsCache: an entry is
 * reused while everything it was built from is the same (`===`), so a change to one
 * service's DestinationRule recompiles that service's clusters and nothing else. Inputs
 * are compared by identity: resources and registry services must be replaced, never
 * changed in place (the config store and the registry do so).
 */
export class CompileCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  get<T>(key: string, deps: readonly unknown[], build: () => T): T {
    const e = this.entries.get(key);
    if (e && sameDeps(e.deps, deps)) {
      e.usedIn = this.generation;
      return e.value as T;
    }
    const value = build();
    this.entries.set(key, { deps, value, usedIn: this.generation });
    return value;
  }

  /** Forgets the entries not used since the previous sweep (services and rules that went away). */
  sweep(): void {
    for (const [key, e] of this.entries) if (e.usedIn < this.generation) this.entries.delete(key);
    this.generation++;
  }

  get size(): number {
    return this.entries.size;
  }
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
