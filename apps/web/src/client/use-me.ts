"use client";
import { useQuery } from "@tanstack/react-query";
import { apiGet, setCsrfToken } from "./api";
import { authKeys } from "./query-keys";

export interface Me {
  user: { username: string; role: "viewer" | "editor"; anonymous: boolean; csrfToken: string } | null;
  authMode: "signin" | "anonymous-editor";
}

export const meQuery = {
  queryKey: authKeys.me(),
  queryFn: async () => {
    const me = await apiGet<Me>("/api/auth/me");
    if (me.user) setCsrfToken(me.user.csrfToken);
    return me;
  },
  staleTime: 60_000,
};

export function useMe() {
  return useQuery(meQuery);
}

/** True when the signed-in user may change config. */
export function useCanEdit(): boolean {
  return useMe().data?.user?.role === "editor";
}
