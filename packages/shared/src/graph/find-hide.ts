/**
 * Kiali's graph Find and Hide expressions (`rt > 500`, `%error > 1 and protocol = grpc`,
 * `name = reviews or !mtls`) parsed into predicates over graph nodes and edges. A term
 * says nothing about an element it does not apply to (`rt` about a node, `name` about an
 * edge): it never matches it, negated or not, and `and` matches only elements every term
 * applies to, as Kiali's selectors (`edge[responseTime > 500]`) behave.
 *
 *   expr       := or
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := ("!" | "not") unary | "(" or ")" | comparison | flag
 *   comparison := field op value
 */
import type { Graph, GraphEdge, GraphNode, GraphNodeType, GraphProtocol } from "./types.ts";

export interface FindHideMatcher {
  node(n: GraphNode): boolean;
  edge(e: GraphEdge): boolean;
}

export interface FindHideError {
  /** 1-based column of the offending token (one past the end when the text ran out). */
  column: number;
  expected: string;
  /** The token found instead; absent at the end of the text. */
  found?: string;
  message: string;
}

export type FindHideParse = { ok: true; matcher: FindHideMatcher } | { ok: false; error: FindHideError };

type Value = string | number | boolean | undefined;
type Op = "=" | "!=" | ">" | ">=" | "<" | "<=" | "contains" | "!contains" | "startswith" | "!startswith" | "endswith" | "!endswith";

interface Field {
  kind: "number" | "string" | "boolean" | "enum";
  values?: readonly string[];
  node?: (n: GraphNode) => Value | Value[];
  edge?: (e: GraphEdge) => Value;
}

const NODE_TYPES: readonly GraphNodeType[] = ["app", "workload", "service", "unknown", "box"];
const PROTOCOLS: readonly GraphProtocol[] = ["http", "grpc", "tcp"];

const rt: Field = { kind: "number", edge: (e) => e.p95Ms };
const error: Field = { kind: "number", node: (n) => n.health.errorRate, edge: (e) => e.errorRate };
const namespace: Field = { kind: "string", node: (n) => n.namespace };
const workload: Field = { kind: "string", node: (n) => n.workload };
const service: Field = { kind: "string", node: (n) => n.service };
const nodeType: Field = { kind: "enum", values: NODE_TYPES, node: (n) => n.type };

const FIELDS: Readonly<Record<string, Field>> = {
  rt,
  responsetime: rt,
  "%error": error,
  "%err": error,
  rate: { kind: "number", node: (n) => n.traffic.in, edge: (e) => e.rate },
  name: { kind: "string", node: (n) => (n.type === "unknown" ? ["unknown"] : [n.app, n.workload, n.service]) },
  namespace,
  ns: namespace,
  app: { kind: "string", node: (n) => n.app },
  version: { kind: "string", node: (n) => n.version },
  workload,
  wl: workload,
  service,
  svc: service,
  node: nodeType,
  type: nodeType,
  protocol: { kind: "enum", values: PROTOCOLS, edge: (e) => e.protocol },
  mtls: { kind: "boolean", edge: (e) => e.mtls > 0 },
};

/** A compiled term: a predicate per element type it applies to. */
interface Term {
  node?: (n: GraphNode) => boolean;
  edge?: (e: GraphEdge) => boolean;
}

const FLAGS: Readonly<Record<string, Term>> = {
  healthy: health("healthy"),
  degraded: health("degraded"),
  failure: health("failure"),
  idle: health("idle"),
  mtls: { edge: (e) => e.mtls > 0 },
  root: { node: (n) => n.isRoot === true },
  outside: { node: (n) => n.isOutside === true },
};

const COMPARE_OPS = ["=", "!=", ">", ">=", "<", "<="];
const TEXT_OPS = ["contains", "!contains", "startswith", "!startswith", "endswith", "!endswith"];
const OPS_BY_KIND: Record<Field["kind"], readonly string[]> = {
  number: COMPARE_OPS,
  string: ["=", "!=", ...TEXT_OPS],
  boolean: ["=", "!="],
  enum: ["=", "!="],
};

interface Token {
  text: string;
  start: number;
  quoted?: boolean;
}

class ParseFailure extends Error {
  constructor(readonly detail: FindHideError) {
    super(detail.message);
  }
}

/** Parses a find or hide expression. Blank text is an error: there is nothing to match. */
export function parseFindHide(text: string): FindHideParse {
  try {
    const tokens = tokenize(text);
    const parser = new Parser(tokens, text.length);
    const term = parser.or();
    parser.end();
    const { node = () => false, edge = () => false } = term;
    return { ok: true, matcher: { node, edge } };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.detail };
    throw e;
  }
}

/**
 * Kiali's Hide: drops matching nodes and edges, the edges of dropped nodes, and boxes left
 * with no members.
 */
export function hideGraph(graph: Graph, matcher: FindHideMatcher): Graph {
  const hidden = new Set(graph.nodes.filter((n) => n.type !== "box" && matcher.node(n)).map((n) => n.id));
  const edges = graph.edges.filter((e) => !hidden.has(e.source) && !hidden.has(e.target) && !matcher.edge(e));
  let nodes = graph.nodes.filter((n) => !hidden.has(n.id));
  // Drop boxes inside out: an app box first, then a namespace box it emptied.
  for (let pass = 0; pass < 2; pass++) {
    const parents = new Set(nodes.map((n) => n.parent));
    nodes = nodes.filter((n) => n.type !== "box" || parents.has(n.id));
  }
  return { nodes, edges };
}

function health(status: GraphNode["health"]["status"]): Term {
  return { node: (n) => n.health.status === status, edge: (e) => e.health.status === status };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ text: c, start: i++ });
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) throw failure(text.length, `closing ${c}`, undefined);
      tokens.push({ text: text.slice(i + 1, close), start: i, quoted: true });
      i = close + 1;
    } else if (c === "!" && /^!(contains|startswith|endswith)(?![^\s()=!<>"'])/i.test(text.slice(i))) {
      const op = /^![a-z]+/i.exec(text.slice(i))![0];
      tokens.push({ text: op, start: i });
      i += op.length;
    } else if ("=!<>".includes(c)) {
      const two = text.slice(i, i + 2);
      const op = two === "!=" || two === ">=" || two === "<=" ? two : c;
      tokens.push({ text: op, start: i });
      i += op.length;
    } else {
      const start = i;
      while (i < text.length && !/[\s()=!<>"']/.test(text[i]!)) i++;
      tokens.push({ text: text.slice(start, i), start });
    }
  }
  return tokens;
}

function failure(offset: number, expected: string, found: string | undefined): ParseFailure {
  const column = offset + 1;
  const foundText = found === undefined ? "end of expression" : `"${found}"`;
  return new ParseFailure({
    column,
    expected,
    ...(found !== undefined ? { found } : {}),
    message: `column ${column}: expected ${expected}, found ${foundText}`,
  });
}

const FIELD_LIST = [...Object.keys(FIELDS), ...Object.keys(FLAGS).filter((f) => !(f in FIELDS))].join(", ");

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly length: number,
  ) {}

  or(): Term {
    const parts = [this.and()];
    while (this.keyword("or")) parts.push(this.and());
    if (parts.length === 1) return parts[0]!;
    const nodes = parts.flatMap((p) => (p.node ? [p.node] : []));
    const edges = parts.flatMap((p) => (p.edge ? [p.edge] : []));
    return {
      ...(nodes.length ? { node: (n: GraphNode) => nodes.some((f) => f(n)) } : {}),
      ...(edges.length ? { edge: (e: GraphEdge) => edges.some((f) => f(e)) } : {}),
    };
  }

  end(): void {
    const t = this.peek();
    if (t) throw failure(t.start, "and, or or the end of the expression", t.text);
  }

  private and(): Term {
    const parts = [this.unary()];
    while (this.keyword("and")) parts.push(this.unary());
    if (parts.length === 1) return parts[0]!;
    const nodes = parts.flatMap((p) => (p.node ? [p.node] : []));
    const edges = parts.flatMap((p) => (p.edge ? [p.edge] : []));
    return {
      ...(nodes.length === parts.length ? { node: (n: GraphNode) => nodes.every((f) => f(n)) } : {}),
      ...(edges.length === parts.length ? { edge: (e: GraphEdge) => edges.every((f) => f(e)) } : {}),
    };
  }

  private unary(): Term {
    const t = this.peek();
    if (!t) throw this.expected(`a field or a flag (${FIELD_LIST})`);
    if ((t.text === "!" || t.text.toLowerCase() === "not") && !t.quoted) {
      this.i++;
      const { node, edge } = this.unary();
      return { ...(node ? { node: (n: GraphNode) => !node(n) } : {}), ...(edge ? { edge: (e: GraphEdge) => !edge(e) } : {}) };
    }
    if (t.text === "(" && !t.quoted) {
      this.i++;
      const inner = this.or();
      const close = this.peek();
      if (close?.text !== ")" || close.quoted) throw this.expected(")");
      this.i++;
      return inner;
    }
    const name = t.text.toLowerCase();
    const field = t.quoted ? undefined : FIELDS[name];
    const next = this.tokens[this.i + 1];
    const hasOp = next !== undefined && !next.quoted && [...COMPARE_OPS, ...TEXT_OPS].includes(next.text.toLowerCase());
    if (!t.quoted && name in FLAGS && !(field && hasOp)) {
      this.i++;
      return FLAGS[name]!;
    }
    if (!field) throw this.expected(`a field or a flag (${FIELD_LIST})`);
    this.i++;
    return this.comparison(field);
  }

  private comparison(field: Field): Term {
    const ops = OPS_BY_KIND[field.kind];
    const opToken = this.peek();
    const op = opToken && !opToken.quoted ? opToken.text.toLowerCase() : undefined;
    if (!op || !ops.includes(op)) throw this.expected(`an operator (${ops.join(", ")})`);
    this.i++;
    const v = this.peek();
    if (!v) throw this.expected(expectedValue(field));
    let want: string | number | boolean = v.text;
    if (field.kind === "number") {
      if (v.quoted || !/^-?\d+(\.\d+)?%?$/.test(v.text)) throw this.expected(expectedValue(field));
      want = Number(v.text.replace("%", ""));
    } else if (field.kind === "boolean") {
      const b = v.quoted ? "" : v.text.toLowerCase();
      if (b !== "true" && b !== "false") throw this.expected(expectedValue(field));
      want = b === "true";
    } else if (field.kind === "enum") {
      want = v.text.toLowerCase();
      if (!field.values!.includes(want)) throw this.expected(expectedValue(field));
    }
    this.i++;
    const test = (got: Value) => compare(got, op as Op, want);
    const { node: nodeValue, edge: edgeValue } = field;
    const term: Term = {};
    if (nodeValue) {
      term.node = (n) => {
        const got = nodeValue(n);
        if (!Array.isArray(got)) return test(got);
        // `name != x` holds when no name is x; otherwise any name may match
        return op.startsWith("!") ? got.every((g) => g === undefined || test(g)) : got.some(test);
      };
    }
    if (edgeValue) term.edge = (e) => test(edgeValue(e));
    return term;
  }

  private keyword(word: string): boolean {
    const t = this.peek();
    if (t && !t.quoted && t.text.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private expected(what: string): ParseFailure {
    const t = this.peek();
    return failure(t ? t.start : this.length, what, t?.text);
  }
}

function expectedValue(field: Field): string {
  if (field.kind === "number") return "a number";
  if (field.kind === "boolean") return "true or false";
  if (field.kind === "enum") return `one of ${field.values!.join(", ")}`;
  return "a value";
}

function compare(got: Value, op: Op, want: string | number | boolean): boolean {
  if (got === undefined) return false;
  switch (op) {
    case "=":
      return got === want;
    case "!=":
      return got !== want;
    case ">":
      return got > want;
    case ">=":
      return got >= want;
    case "<":
      return got < want;
    case "<=":
      return got <= want;
    default: {
      const negate = op.startsWith("!");
      const s = String(got);
      const w = String(want);
      const base = op.replace("!", "");
      const hit = base === "contains" ? s.includes(w) : base === "startswith" ? s.startsWith(w) : s.endsWith(w);
      return negate ? !hit : hit;
    }
  }
}
