import type { PathSegment, Severity } from "../../diagnostics.ts";
import type { LoadedResource } from "../load.ts";

/** A cross-resource finding, attached to the resource (and field) it is about. */
export interface CrossFinding {
  target: LoadedResource;
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
}
