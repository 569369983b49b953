import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { authorizationPolicy, deployment, expectFindings, namespace, serviceAccount, type Expected } from "./testing.ts";

const from = (source: Record<string, unknown>) => authorizationPolicy("default/allow", { rules: [{ from: [{ source }] }] });

const principalRows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts a principal whose ServiceAccount is in the input",
    docs: [serviceAccount("shop/checkout"), from({ principals: ["cluster.local/ns/shop/sa/checkout"] })],
    expected: [],
  },
  {
    name: "accepts a principal whose account a workload runs as",
    docs: [deployment("shop/checkout", { app: "checkout" }, "checkout"), from({ principals: ["spiffe://cluster.local/ns/shop/sa/checkout"] })],
    expected: [],
  },
  {
    name: "accepts the default account of a namespace of the input",
    docs: [namespace("shop"), from({ principals: ["cluster.local/ns/shop/sa/default"] })],
    expected: [],
  },
  {
    name: "warns about a principal whose service account is not in the input",
    docs: [serviceAccount("shop/checkout"), authorizationPolicy("default/allow", { rules: [{ from: [{ source: { principals: ["cluster.local/ns/shop/sa/checkout", "cluster.local/ns/shop/sa/chekout"] } }] }] })],
    expected: [
      {
        severity: "warning",
        path: "spec.rules[0].from[0].source.principals[1]",
        message: 'principal "cluster.local/ns/shop/sa/chekout" names service account shop/chekout, which is not in the input (no ServiceAccount or workload running as it)',
        on: "AuthorizationPolicy default/allow",
      },
    ],
  },
  {
    name: "checks notPrincipals too",
    docs: [from({ notPrincipals: ["cluster.local/ns/shop/sa/checkout"] })],
    expected: [{ severity: "warning", path: "spec.rules[0].from[0].source.notPrincipals[0]", message: /service account shop\/checkout, which is not in the input/ }],
  },
  {
    name: "skips principals with wildcards and principals not in SPIFFE form",
    docs: [from({ principals: ["*", "cluster.local/ns/shop/sa/*", "*/ns/shop/sa/checkout", "some-user"] })],
    expected: [],
  },
  {
    name: "reads a bare serviceAccounts entry in the policy's namespace",
    docs: [from({ serviceAccounts: ["checkout", "shop/cart"] })],
    expected: [
      { severity: "warning", path: "spec.rules[0].from[0].source.serviceAccounts[0]", message: "service account default/checkout is not in the input (no ServiceAccount or workload running as it)" },
      { severity: "warning", path: "spec.rules[0].from[0].source.serviceAccounts[1]", message: /service account shop\/cart is not in the input/ },
    ],
  },
];

const namespaceRows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts a namespace declared or holding resources in the input",
    docs: [namespace("shop"), deployment("billing/api", { app: "api" }), from({ namespaces: ["shop", "billing", "default"] })],
    expected: [],
  },
  {
    name: "warns about a namespace that is not in the input, suggesting a near one",
    docs: [namespace("shop"), from({ namespaces: ["shpo"] })],
    expected: [
      {
        severity: "warning",
        path: "spec.rules[0].from[0].source.namespaces[0]",
        message: 'namespace "shpo" is not in the input: no Namespace and no resource in it (did you mean "shop"?)',
        on: "AuthorizationPolicy default/allow",
      },
    ],
  },
  {
    name: "checks notNamespaces and skips patterns",
    docs: [from({ notNamespaces: ["legacy", "test-*"] })],
    expected: [{ severity: "warning", path: "spec.rules[0].from[0].source.notNamespaces[0]", message: /^namespace "legacy" is not in the input/ }],
  },
];

describe("SK2006 principalNotFound", () => {
  it.each(principalRows)("$name", ({ docs, expected }) => expectFindings(docs, Code.principalNotFound, expected));
});

describe("SK2010 namespaceNotFound", () => {
  it.each(namespaceRows)("$name", ({ docs, expected }) => expectFindings(docs, Code.namespaceNotFound, expected));
});
