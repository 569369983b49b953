import { renderYaml, type StoredResource } from "@skein/shared/browser";
import { authoredBody } from "../../client/config/validation-context.ts";

/** What the editor compares against and applies on top of: the stored text and its version. */
export interface Baseline {
  text: string;
  resourceVersion: string;
}

/** A write's outcome: the version it made, and the resource as read back afterwards. */
export interface Written {
  resourceVersion: string | undefined;
  stored: StoredResource | undefined;
}

export const baselineOf = (r: StoredResource): Baseline => ({ text: renderYaml(authoredBody(r)), resourceVersion: r.metadata.resourceVersion });

/**
 * The baseline after this editor applied `text`: the stored resource when it is still at
 * the version the apply made, else the applied text at that version, so that a write by
 * someone else in between stays a conflict on the next apply instead of being overwritten.
 */
export function baselineAfterApply(written: Written, text: string): Baseline | undefined {
  if (written.stored && (written.resourceVersion === undefined || written.stored.metadata.resourceVersion === written.resourceVersion)) return baselineOf(written.stored);
  return written.resourceVersion === undefined ? undefined : { text, resourceVersion: written.resourceVersion };
}
