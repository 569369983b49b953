"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, type ReactNode } from "react";
import { apiSend } from "@/client/api";
import { useMe } from "@/client/use-me";

const NAV = [
  { href: "/", label: "Graph" },
  { href: "/overview", label: "Overview" },
  { href: "/services", label: "Services" },
  { href: "/workloads", label: "Workloads" },
  { href: "/config", label: "Istio Config" },
  { href: "/traces", label: "Traces" },
  { href: "/route-tester", label: "Route tester" },
];

function active(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(href + "/");
}

/** The frame of every page: navigation, who is signed in, and the anonymous-mode banner. */
export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useMe();
  const user = me.data?.user;
  const onLogin = pathname === "/login";
  // The page renders (and starts its requests) while /api/auth/me is answered; only a
  // browser without a session in sign-in mode is sent away.
  const redirecting = !!me.data && !me.data.user;

  useEffect(() => {
    if (redirecting && !onLogin) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [me.data, onLogin, pathname, router]);

  async function signOut() {
    await apiSend("POST", "/api/auth/logout");
    queryClient.clear();
    router.replace("/login");
  }

  if (onLogin) return <main className="login-main">{children}</main>;
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          Skein
        </Link>
        <span className="topbar-spacer" />
        {user && (
          <span className="whoami" data-testid="whoami">
            {user.username} · {user.role}
            {!user.anonymous && (
              <button type="button" className="link-button" onClick={signOut}>
                Sign out
              </button>
            )}
          </span>
        )}
      </header>
      {user?.anonymous && (
        <div className="banner banner-warning" role="status" data-testid="anonymous-banner">
          Anonymous editor mode: anyone who can reach this console can change mesh config. Start the console with SKEIN_CONSOLE_AUTH=signin for sign-in.
        </div>
      )}
      <div className="body">
        <nav className="sidenav" aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.href} href={n.href} className={active(pathname, n.href) ? "nav-item active" : "nav-item"} aria-current={active(pathname, n.href) ? "page" : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <main className="content">
          {me.isError ? <p className="error">Cannot reach the console server: {(me.error as Error).message}</p> : redirecting ? <p className="muted">Loading…</p> : children}
        </main>
      </div>
    </div>
  );
}
