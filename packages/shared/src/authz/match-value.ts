/**
 * Istio's string matching for AuthorizationPolicy values: exact, prefix (`abc*`),
 * suffix (`*abc`) and presence (`*`). Hosts compare case-insensitively.
 * https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export function matchesValue(pattern: string, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  if (pattern === "*") return true;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p.endsWith("*")) return v.startsWith(p.slice(0, -1));
  if (p.startsWith("*")) return v.endsWith(p.slice(1));
  return p === v;
}

/**
 * Istio's path templates: `{*}` matches one segment, `{**}` any remaining segments
 * (only as the last segment). Other patterns use matchesValue.
 */
export function matchesPath(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (!pattern.includes("{")) return matchesValue(pattern, path);
  const want = pattern.split("/");
  const got = path.split("/");
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w === "{**}") return got.length > i && got.slice(i).join("/") !== "";
    const g = got[i];
    if (g === undefined) return false;
    if (w === "{*}") {
      if (g === "") return false;
      continue;
    }
    if (w !== g) return false;
  }
  return want.length === got.length;
}

export function matchesAny(patterns: readonly string[] | undefined, value: string | undefined, match = matchesValue): boolean {
  if (patterns === undefined) return true;
  for (const p of patterns) if (match(p, value)) return true;
  return false;
}

export function matchesNone(patterns: readonly string[] | undefined, value: string | undefined, match = matchesValue): boolean {
  if (patterns === undefined) return true;
  for (const p of patterns) if (match(p, value)) return false;
  return true;
}

/** IPv4/IPv6 CIDR or plain address containment, without allocation-heavy parsing libraries. */
export function ipInBlock(block: string, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const addr = normalizeIp(ip);
  const [base, bitsText] = block.split("/");
  const net = normalizeIp(base!);
  if (!addr || !net || addr.length !== net.length) return false;
  const bits = bitsText === undefined ? addr.length * 8 : Number(bitsText);
  for (let i = 0; i < addr.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    if (take === 0) return true;
    const mask = (0xff << (8 - take)) & 0xff;
    if ((addr[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

function normalizeIp(ip: string): number[] | undefined {
  const mapped = ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
  if (mapped.includes(".")) {
    const parts = mapped.split(".").map(Number);
    return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
  }
  const [head, tail] = mapped.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = mapped.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  if (groups.length !== 8) return undefined;
  const out: number[] = [];
  for (const g of groups) {
    const n = parseInt(g, 16);
    if (Number.isNaN(n)) return undefined;
    out.push(n >> 8, n & 0xff);
  }
  return out;
}
