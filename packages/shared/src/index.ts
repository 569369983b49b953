// The whole shared package for Node: everything the browser gets, plus the CA.
export * from "./browser.ts";
export * from "./ca/index.ts";
