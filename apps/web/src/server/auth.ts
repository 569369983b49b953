import "server-only";
import { timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import type { ConsoleSession, Role } from "@skein/mesh/store";
import { users } from "./db";
import { ApiError } from "./http";
import { settings } from "./settings";

export const SESSION_COOKIE = "skein_session";
export const CSRF_HEADER = "x-skein-csrf";

export interface Viewer {
  username: string;
  role: Role;
  anonymous: boolean;
  csrfToken: string;
}

function toViewer(s: ConsoleSession): Viewer {
  return { username: s.user.username, role: s.user.role, anonymous: s.user.username === "anonymous", csrfToken: s.csrfToken };
}

export async function currentSession(): Promise<ConsoleSession | undefined> {
  const id = (await cookies()).get(SESSION_COOKIE)?.value;
  return id ? users().session(id) : undefined;
}

/** Sets the httpOnly session cookie (only route handlers may). */
export async function setSessionCookie(session: ConsoleSession): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: "lax", secure: settings().secureCookies, path: "/", expires: session.expiresAt });
}

/**
 * The signed-in user. In anonymous-editor mode a browser without a session gets one for
 * the built-in anonymous editor, so CSRF protection works the same in both modes.
 */
export async function viewer(): Promise<Viewer | undefined> {
  const s = await currentSession();
  if (s) return toViewer(s);
  if (settings().auth !== "anonymous-editor") return undefined;
  const session = await users().openSession(await users().anonymousEditor());
  await setSessionCookie(session);
  return toViewer(session);
}

/**
 * Who may read. In anonymous-editor mode a browser without a session reads as the anonymous
 * editor without one being opened here: the page's first requests run in parallel with
 * /api/auth/me, and sessions opened by each would leave the browser holding a CSRF token
 * for a session other than its cookie's.
 */
export async function requireViewer(): Promise<Viewer> {
  const s = await currentSession();
  if (s) return toViewer(s);
  if (settings().auth === "anonymous-editor") return { username: "anonymous", role: "editor", anonymous: true, csrfToken: "" };
  throw new ApiError(401, "Unauthenticated", "sign in first");
}

/**
 * A mutation: needs a session, the editor role and the session's CSRF token in a header
 * (a cross-site form cannot set headers, and cannot read the token), and a same-origin
 * Origin header when the browser sends one.
 */
export async function requireEditor(req: Request): Promise<Viewer> {
  const origin = req.headers.get("origin");
  if (origin && new URL(origin).host !== req.headers.get("host")) throw new ApiError(403, "CrossOrigin", `requests from ${origin} are not accepted`);
  const s = await currentSession();
  // A mutation always needs a session: its CSRF token is what proves the request is the page's.
  if (!s) throw new ApiError(401, "Unauthenticated", settings().auth === "anonymous-editor" ? "no session: reload the console" : "sign in first");
  const v = toViewer(s);
  const sent = Buffer.from(req.headers.get(CSRF_HEADER) ?? "");
  const expected = Buffer.from(v.csrfToken);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new ApiError(403, "CsrfTokenMissing", `the ${CSRF_HEADER} header must carry this session's token`);
  if (v.role !== "editor") throw new ApiError(403, "Forbidden", `${v.username} is a viewer; only editors change config`);
  return v;
}
