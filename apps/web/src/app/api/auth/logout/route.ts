import { cookies } from "next/headers";
import { CSRF_HEADER, currentSession, SESSION_COOKIE } from "@/server/auth";
import { users } from "@/server/db";
import { ApiError, handle } from "@/server/http";

export async function POST(req: Request) {
  return handle(async () => {
    const s = await currentSession();
    if (s) {
      if (req.headers.get(CSRF_HEADER) !== s.csrfToken) throw new ApiError(403, "CsrfTokenMissing", `the ${CSRF_HEADER} header must carry this session's token`);
      await users().closeSession(s.id);
    }
    (await cookies()).delete(SESSION_COOKIE);
    return { signedOut: true };
  });
}
