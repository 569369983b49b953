import type { Cluster } from "@skein/shared";
import type { Clock, Rng, TimerFactory, TimerHandle } from "../clock.ts";
import { CircuitBreakers } from "../upstream/connection-pool.ts";
import { reconcileEndpointStates, type EndpointState } from "../upstream/endpoint-state.ts";
import { createLoadBalancer, panicThresholdFor, type EndpointLoadBalancer } from "../upstream/load-balancer/index.ts";
import { OutlierTracker, scheduleOutlierSweeps, type OutlierEvent } from "../upstream/outlier-detection.ts";

export interface ClusterDeps {
  clock: Clock;
  rng: Rng;
  timers: TimerFactory;
  onOutlierEvent?: (cluster: string, event: OutlierEvent) => void;
}

/**
 * One cluster's live state: its hosts with their in-flight counts and ejections, the load
 * balancer, the circuit breakers and the outlier tracker. A config push updates it in
 * place, so ejections and counters survive (as Envoy keeps Host objects).
 */
export class ClusterRuntime {
  cluster: Cluster;
  hosts: EndpointState[] = [];
  lb!: EndpointLoadBalancer;
  breakers!: CircuitBreakers;
  outlier: OutlierTracker | undefined;
  private sweep: TimerHandle | undefined;

  constructor(
    cluster: Cluster,
    private readonly deps: ClusterDeps,
  ) {
    this.cluster = cluster;
    this.update(cluster, true);
  }

  update(next: Cluster, first = false): void {
    const prev = this.cluster;
    this.cluster = next;
    this.hosts = reconcileEndpointStates(this.hosts, next.endpoints);
    if (first || JSON.stringify(prev.lb) !== JSON.stringify(next.lb) || JSON.stringify(prev.outlierDetection) !== JSON.stringify(next.outlierDetection)) {
      this.lb = createLoadBalancer(next.lb, this.deps.rng, { panicThresholdPercent: panicThresholdFor(next) });
    }
    if (first || JSON.stringify(prev.connectionPool) !== JSON.stringify(next.connectionPool)) {
      this.breakers = new CircuitBreakers(next.connectionPool);
    }
    if (first || JSON.stringify(prev.outlierDetection) !== JSON.stringify(next.outlierDetection)) {
      this.sweep?.cancel();
      this.sweep = undefined;
      this.outlier = undefined;
      if (next.outlierDetection) {
        const name = next.name;
        this.outlier = new OutlierTracker(next.outlierDetection, { onEvent: (e) => this.deps.onOutlierEvent?.(name, e) });
        this.sweep = scheduleOutlierSweeps(this.outlier, this.deps.timers, this.deps.clock);
      }
    }
    if (!this.outlier) for (const h of this.hosts) h.ejected = false;
    this.outlier?.setHosts(this.hosts);
  }

  close(): void {
    this.sweep?.cancel();
  }
}

/** All clusters of the current snapshot, by name. */
export class ClusterManager {
  private readonly clusters = new Map<string, ClusterRuntime>();

  constructor(private readonly deps: ClusterDeps) {}

  apply(clusters: Readonly<Record<string, Cluster>>): void {
    for (const [name, c] of Object.entries(clusters)) {
      const existing = this.clusters.get(name);
      if (existing) existing.update(c);
      else this.clusters.set(name, new ClusterRuntime(c, this.deps));
    }
    for (const [name, runtime] of this.clusters) {
      if (clusters[name]) continue;
      runtime.close();
      this.clusters.delete(name);
    }
  }

  get(name: string): ClusterRuntime | undefined {
    return this.clusters.get(name);
  }

  all(): IterableIterator<ClusterRuntime> {
    return this.clusters.values();
  }

  close(): void {
    for (const c of this.clusters.values()) c.close();
    this.clusters.clear();
  }
}
