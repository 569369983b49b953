import type { ComponentType } from "react";
import type { Body, ServiceConfig } from "./service-config";

export interface WizardFormProps<F> {
  form: F;
  onChange: (form: F) => void;
  cfg: ServiceConfig;
  subsets: readonly string[];
  disabled: boolean;
}

/** One wizard: where its form starts, what it forbids, the documents it writes, and its form. */
export interface WizardDef<F> {
  start(cfg: ServiceConfig, subsets: readonly string[]): F;
  errors(form: F): string[];
  resources(cfg: ServiceConfig, form: F): Body<unknown>[];
  Form: ComponentType<WizardFormProps<F>>;
}
