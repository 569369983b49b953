import { createHash } from "node:crypto";
import {
  CompileCache,
  type Fragment,
  labelsMatch,
  PushContext,
  ROOT_NAMESPACE,
  serializeProxyConfig,
  serializeSnapshotDelta,
  type ProxyConfig,
  type Resource,
  type ServiceRegistry,
  type WorkloadIdentity,
} from "@skein/shared";
import { byKey, changedScopes, type ResourcesByKey } from "./config-scope.ts";

/** A config as a sidecar was sent it: the base a later delta is computed from. */
export interface SentConfig {
  /** SHA-1 over the config's fragments' SHA-1s: equal digests, equal configs. */
  digest: string;
  config: ProxyConfig;
}

/** The snapshot of a group of sidecars the compiler cannot tell apart, serialised once for all. */
export class GroupSnapshot implements SentConfig {
  /** Each `delta` event's shared bytes, by the digest of the config it starts from; undefined: send the snapshot. */
  readonly deltas = new Map<string, Buffer | undefined>();
  private bytes: Buffer | undefined;

  constructor(
    readonly key: string,
    /** The member it was compiled for; its namespace and labels stand for every member's. */
    readonly identity: WorkloadIdentity,
    readonly config: ProxyConfig,
    readonly digest: string,
    /** The serialised config's length, about. */
    readonly size: number,
    /** The compile cache's generation it was built in. */
    readonly generation: number,
  ) {}

  /**
   * The `snapshot` event after the workload field (`"outbound":…}}` and the blank line),
   * written to every member that needs the whole snapshot. Built when one first does:
   * members that take deltas never need it.
   */
  get body(): Buffer {
    return (this.bytes ??= Buffer.from(`${serializeProxyConfig(this.config).slice(1)}}\n\n`));
  }
}

export interface GroupSnapshotsOptions {
  resources(): readonly Resource[];
  registry(): ServiceRegistry;
  rootNamespace?: string;
}

/**
 * The push's compiled snapshots, one per group of sidecars the compiler reads alike
 * (PushContext.proxyKey: namespace and the labels some selector reads), built from one
 * PushContext per config and fragments kept across pushes. A group's snapshot is kept
 * until a change may alter it: a DestinationRule with a workloadSelector drops only the
 * groups it selects, anything else every group.
 */
export class GroupSnapshots {
  private readonly cache = new CompileCache();
  private readonly groups = new Map<string, GroupSnapshot>();
  /** Each fragment's SHA-1, hashed once however many groups and pushes share it. */
  private readonly digests = new WeakMap<Fragment<unknown>, string>();
  private context: PushContext | undefined;
  private selectorKeys: string | undefined;
  private compiledFrom: ResourcesByKey;
  private generation = 0;

  constructor(private readonly options: GroupSnapshotsOptions) {
    this.compiledFrom = byKey(options.resources());
  }

  private get rootNamespace(): string {
    return this.options.rootNamespace ?? ROOT_NAMESPACE;
  }

  /** The group this sidecar belongs to under the config in force. */
  keyOf(identity: WorkloadIdentity): string {
    return this.pushContext().proxyKey(identity);
  }

  snapshotFor(identity: WorkloadIdentity): GroupSnapshot {
    const ctx = this.pushContext();
    const key = ctx.proxyKey(identity);
    let group = this.groups.get(key);
    if (!group) {
      // The name is each member's own and the compiler only copies it: leave it out.
      const config = ctx.compile({ ...identity, name: "" });
      const { digest, size } = this.digestOf(config);
      group = new GroupSnapshot(key, identity, config, digest, size, this.generation);
      this.groups.set(key, group);
    }
    return group;
  }

  /**
   * The shared bytes of a `delta` event (`<SnapshotDelta JSON>}` and the blank line) that
   * takes a sidecar from `from` to `to`; undefined when the full snapshot should go instead.
   */
  deltaFrom(from: SentConfig, to: GroupSnapshot): Buffer | undefined {
    if (to.deltas.has(from.digest)) return to.deltas.get(from.digest);
    const json = serializeSnapshotDelta(from.config, to.config);
    // Past half the snapshot, sending it whole costs little more and is simpler to apply.
    const bytes = json !== undefined && json.length < to.size / 2 ? Buffer.from(`${json}}\n\n`) : undefined;
    to.deltas.set(from.digest, bytes);
    return bytes;
  }

  /**
   * Drops the groups the changed resources may alter, at once rather than at the push, so
   * a sidecar connecting meanwhile gets the new config. The rest keep their snapshot, which
   * the change leaves as it was: a client-side DestinationRule for one app costs one
   * group's compile, not every group's.
   */
  configChanged(): void {
    const before = this.compiledFrom;
    this.compiledFrom = byKey(this.options.resources());
    this.context = undefined;
    const scopes = changedScopes(before, this.compiledFrom, this.rootNamespace);
    if (scopes === "all") return this.groups.clear();
    for (const [key, group] of this.groups) {
      if (scopes.some((s) => s.namespace === group.identity.namespace && labelsMatch(s.labels, group.identity.labels))) this.groups.delete(key);
    }
  }

  /** Every sidecar holds every service's endpoints: all groups are stale. */
  registryChanged(): void {
    this.context = undefined;
    this.groups.clear();
  }

  /**
   * Called after a push: once every group held was compiled since the last sweep, the
   * compile cache forgets the fragments none of them used (services and rules that went).
   */
  pushed(): void {
    for (const g of this.groups.values()) if (g.generation !== this.generation) return;
    this.cache.sweep();
    this.generation++;
  }

  /**
   * A config's digest, from its fragments' digests: each fragment is hashed once, in
   * native code, however many groups share it. A JavaScript hash over every group's
   * half-megabyte snapshot was an eighth of the control plane's CPU in a push.
   */
  private digestOf(config: ProxyConfig): { digest: string; size: number } {
    const hash = createHash("sha1");
    let size = 0;
    const add = (f: Fragment<unknown>) => {
      let d = this.digests.get(f);
      if (d === undefined) {
        d = createHash("sha1").update(f.json).digest("hex");
        this.digests.set(f, d);
      }
      size += f.json.length;
      hash.update(`${f.name}\n${d}\n`);
    };
    for (const f of config.virtualHosts) add(f);
    hash.update("clusters\n");
    for (const f of config.clusters) add(f);
    hash.update("inbound\n");
    add(config.inbound);
    return { digest: hash.digest("hex"), size };
  }

  private pushContext(): PushContext {
    if (this.context) return this.context;
    const ctx = new PushContext({ resources: this.options.resources(), registry: this.options.registry(), rootNamespace: this.rootNamespace }, this.cache);
    // Groups are told apart by the labels selectors read; when that set changes, regroup.
    const keys = ctx.selectorKeys.join("\n");
    if (this.selectorKeys !== undefined && keys !== this.selectorKeys) this.groups.clear();
    this.selectorKeys = keys;
    this.context = ctx;
    return ctx;
  }
}

/**
 * A sidecar's version: its group's digest and its own identity, which the snapshot
 * carries, hashed. Short and opaque; ACK and NACK refer to it.
 */
export function sidecarVersion(digest: string, identityJson: string): string {
  return createHash("sha1").update(digest).update("\n").update(identityJson).digest("hex").slice(0, 16);
}
