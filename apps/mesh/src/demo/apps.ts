import type { Server } from "node:http";
import type { AppEnv } from "./app-env.ts";
import { runEcho } from "./echo.ts";
import { runDetails, runProductpage, runRatings, runReviews } from "./shop.ts";
import { runTraffic } from "./traffic.ts";

/** The apps `run: builtin:<name>` can start. */
export const BUILTIN_APPS: Record<string, (env: AppEnv) => Promise<Server>> = {
  echo: runEcho,
  productpage: runProductpage,
  details: runDetails,
  reviews: runReviews,
  ratings: runRatings,
  traffic: (env) => runTraffic(env),
};
