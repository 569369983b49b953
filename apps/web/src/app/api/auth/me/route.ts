import { viewer } from "@/server/auth";
import { handle } from "@/server/http";
import { settings } from "@/server/settings";

/** Who is signed in (and their CSRF token, readable only by same-origin script). */
export async function GET() {
  return handle(async () => {
    const v = await viewer();
    return { user: v ?? null, authMode: settings().auth };
  });
}
