/**
 * The route tester's inputs as they live in the URL (so a question about routing can be
 * shared as a link) and as the API takes them.
 */
export interface RouteTestForm {
  /** `namespace/workload` */
  source: string;
  host: string;
  method: string;
  path: string;
  /** One `name: value` per line. */
  headers: string;
}

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

export function formFromParams(params: URLSearchParams): RouteTestForm {
  return {
    source: params.get("source") ?? "",
    host: params.get("host") ?? "",
    method: (params.get("method") ?? "GET").toUpperCase(),
    path: params.get("path") ?? "/",
    headers: params.get("headers") ?? "",
  };
}

export function paramsFromForm(form: RouteTestForm): URLSearchParams {
  const p = new URLSearchParams();
  p.set("source", form.source);
  p.set("host", form.host.trim());
  p.set("method", form.method);
  p.set("path", form.path);
  if (form.headers.trim() !== "") p.set("headers", form.headers);
  return p;
}

/** True when the URL holds a question to ask. */
export function isComplete(form: RouteTestForm): boolean {
  return form.source.includes("/") && form.host.trim() !== "";
}

export interface HeaderParse {
  headers: Record<string, string | string[]>;
  /** 1-based lines that are not `name: value`. */
  errors: { line: number; text: string }[];
}

/**
 * `name: value` per line, as curl's -H takes them. The value is everything after the first
 * colon, trimmed; a name given twice becomes a list (Envoy joins them with "," to match).
 * Blank lines are skipped.
 */
export function parseHeaderLines(text: string): HeaderParse {
  const headers: Record<string, string | string[]> = {};
  const errors: HeaderParse["errors"] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const colon = line.indexOf(":", line.startsWith(":") ? 1 : 0);
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : "";
    if (name === "" || !/^:?[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      errors.push({ line: i + 1, text: raw });
      return;
    }
    const value = line.slice(colon + 1).trim();
    const cur = headers[name];
    headers[name] = cur === undefined ? value : [...(Array.isArray(cur) ? cur : [cur]), value];
  });
  return { headers, errors };
}

/** A Host typed as a URL (`http://reviews:9080/x`) is reduced to its authority. */
export function authorityOf(host: string): string {
  const t = host.trim();
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(t);
  return m ? m[1]! : t.split("/")[0]!;
}

/** The API body for a form. */
export function requestOf(form: RouteTestForm): { source: { namespace: string; name: string }; host: string; method: string; path: string; headers: Record<string, string | string[]> } {
  const slash = form.source.indexOf("/");
  return {
    source: { namespace: form.source.slice(0, slash), name: form.source.slice(slash + 1) },
    host: authorityOf(form.host),
    method: form.method,
    path: form.path.trim() === "" ? "/" : form.path.trim(),
    headers: parseHeaderLines(form.headers).headers,
  };
}
