import type { PathSegment, Severity } from "../../diagnostics.ts";
import type { CodeValue } from "../../model/codes.ts";
import type { LoadedResource } from "../load.ts";
import type { ConfigIndex } from "./config-index.ts";

/** A cross-resource finding, attached to the resource (and field) it is about. */
export interface CrossFinding {
  target: LoadedResource;
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
}

/** One cross-resource check: reads the index, returns its findings. */
export type CrossCheck = (index: ConfigIndex) => CrossFinding[];

export function finding(target: LoadedResource, path: PathSegment[], severity: Severity, code: CodeValue, message: string): CrossFinding {
  return { target, path, severity, code, message };
}
