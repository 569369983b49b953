/**
 * A memo keyed by the ends of a series and a protocol: many series share their two ends
 * (one per response code, flag and reporter), and the graph resolves the ends once.
 */
import type { Endpoints } from "./series.ts";
import type { GraphProtocol } from "./types.ts";

interface Entry<S, T> {
  protocol: GraphProtocol;
  ends: S;
  value: T;
}

/**
 * Filed by destination service then source workload, and told apart from the few entries
 * that share both (the service's versions) by comparing the other labels. Joining eleven
 * labels into one key for every sample, and hashing it, cost a fifth of buildGraph on a
 * mesh of 3,000 edges; the labels themselves are hashed once, as strings cache their hash.
 */
export class EndpointsMap<S extends Endpoints, T> {
  private readonly byService = new Map<string, Map<string, Entry<S, T>[]>>();
  private readonly entries: T[] = [];

  /** `make` gives the value for ends seen the first time. */
  constructor(private readonly make: (protocol: GraphProtocol, s: S) => T) {}

  get(protocol: GraphProtocol, s: S): T {
    let bySource = this.byService.get(s.destService);
    if (!bySource) this.byService.set(s.destService, (bySource = new Map()));
    let candidates = bySource.get(s.sourceWorkload);
    if (!candidates) bySource.set(s.sourceWorkload, (candidates = []));
    for (const c of candidates) if (c.protocol === protocol && sameEnds(c.ends, s)) return c.value;
    const value = this.make(protocol, s);
    candidates.push({ protocol, ends: s, value });
    this.entries.push(value);
    return value;
  }

  /** The values, in the order their ends were first seen. */
  values(): readonly T[] {
    return this.entries;
  }
}

/**
 * The labels that tell a series' ends apart, but for the two the entries are filed under
 * (destServiceHost follows from the service's name and namespace). Spelled out: a loop
 * over field names made this check a tenth of buildGraph.
 */
function sameEnds(a: Endpoints, b: Endpoints): boolean {
  return (
    a.sourceNamespace === b.sourceNamespace &&
    a.sourceApp === b.sourceApp &&
    a.sourceVersion === b.sourceVersion &&
    a.destServiceNamespace === b.destServiceNamespace &&
    a.destWorkloadNamespace === b.destWorkloadNamespace &&
    a.destWorkload === b.destWorkload &&
    a.destApp === b.destApp &&
    a.destVersion === b.destVersion
  );
}
