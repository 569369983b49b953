export { CaError, type Clock } from "./crypto.ts";
export * from "./spiffe.ts";
export * from "./root.ts";
export * from "./issue.ts";
export * from "./inspect.ts";
