import "server-only";
import { NextResponse } from "next/server";

/** The console's error body, the same shape as the control plane's: `{error:{code,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function errorResponse(e: unknown): NextResponse {
  if (e instanceof ApiError) return NextResponse.json({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } }, { status: e.status });
  const message = e instanceof Error ? e.message : String(e);
  return NextResponse.json({ error: { code: "Internal", message } }, { status: 500 });
}

/** Runs a route handler body, turning thrown ApiErrors into their responses. */
export async function handle(fn: () => Promise<Response | unknown>): Promise<Response> {
  try {
    const out = await fn();
    return out instanceof Response ? out : NextResponse.json(out);
  } catch (e) {
    return errorResponse(e);
  }
}
