import { z } from "zod";
import { setSessionCookie } from "@/server/auth";
import { users } from "@/server/db";
import { ApiError, handle } from "@/server/http";

const loginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) });

export async function POST(req: Request) {
  return handle(async () => {
    const origin = req.headers.get("origin");
    if (origin && new URL(origin).host !== req.headers.get("host")) throw new ApiError(403, "CrossOrigin", `sign-in from ${origin} is not accepted`);
    const parsed = loginSchema.safeParse(await req.json().catch(() => undefined));
    if (!parsed.success) throw new ApiError(400, "BadRequest", "send {username, password}");
    const user = await users().authenticate(parsed.data.username, parsed.data.password);
    if (!user) throw new ApiError(401, "BadCredentials", "wrong user name or password");
    const session = await users().openSession(user);
    await setSessionCookie(session);
    return { username: user.username, role: user.role, anonymous: false, csrfToken: session.csrfToken };
  });
}
