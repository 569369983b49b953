import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { expectError, expectValid, httpSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const R = "spec.http[0].route";
const dest = (host: string, extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });

const rejected: ErrorRow[] = [
  {
    name: "requires a destination on every route entry",
    spec: httpSpec({ route: [{ weight: 100 }] }),
    code: Code.requiredField,
    path: `${R}[0].destination`,
    message: "destination is required",
  },
  {
    name: "rejects a negative weight",
    spec: httpSpec({ route: [{ ...dest("foo.baz.south"), weight: 5 }, { ...dest("foo.baz.east"), weight: -1 }] }),
    code: Code.invalidWeight,
    path: `${R}[1].weight`,
    message: "weight -1 < 0",
  },
  {
    name: "rejects several destinations whose weights are all zero",
    spec: httpSpec({ route: [{ ...dest("a"), weight: 0 }, { ...dest("b"), weight: 0 }] }),
    code: Code.invalidWeight,
    path: R,
    message: "total destination weight = 0",
  },
  {
    name: "rejects a fractional weight",
    spec: httpSpec({ route: [{ ...dest("a"), weight: 12.5 }] }),
    code: Code.wrongType,
    path: `${R}[0].weight`,
    message: "got number 12.5",
  },
  {
    name: "rejects * as a destination host",
    spec: httpSpec({ route: [dest("*")] }),
    code: Code.invalidHost,
    path: `${R}[0].destination.host`,
    message: "invalid destination host *",
  },
  {
    name: "rejects a namespace/name destination host",
    spec: httpSpec({ route: [dest("default/baz")] }),
    code: Code.invalidHost,
    path: `${R}[0].destination.host`,
    message: 'domain name "default/baz" invalid',
  },
  {
    name: "rejects an IP address as destination host, as Istio does",
    spec: httpSpec({ route: [dest("10.0.0.1")] }),
    code: Code.invalidHost,
    path: `${R}[0].destination.host`,
    message: 'top level domain "1" cannot be all-numeric',
  },
  {
    name: "rejects a subset name that is not a DNS label",
    spec: httpSpec({ route: [dest("reviews", { subset: "V_1" })] }),
    code: Code.invalidName,
    path: `${R}[0].destination.subset`,
    message: "subset name is invalid: V_1",
  },
  {
    name: "rejects a destination port out of range",
    spec: httpSpec({ route: [dest("reviews", { port: { number: 0 } })] }),
    code: Code.invalidPort,
    path: `${R}[0].destination.port.number`,
    message: "port number 0 must be in the range 1..65535",
  },
  {
    name: "rejects an empty port selector as port 0",
    spec: httpSpec({ route: [dest("reviews", { port: {} })] }),
    code: Code.invalidPort,
    path: `${R}[0].destination.port`,
    message: "port number 0 must be in the range 1..65535",
  },
  {
    name: "requires a destination host",
    spec: httpSpec({ route: [{ destination: { subset: "v1" } }] }),
    code: Code.requiredField,
    path: `${R}[0].destination.host`,
    message: 'missing required field "host"',
  },
];

const accepted: ValidRow[] = [
  { name: "accepts weights that do not add up to 100", spec: httpSpec({ route: [{ ...dest("a"), weight: 550 }, { ...dest("b"), weight: 500 }] }) },
  { name: "accepts weights 49 and 50", spec: httpSpec({ route: [{ ...dest("a"), weight: 49 }, { ...dest("b"), weight: 50 }] }) },
  { name: "accepts a single destination with weight 0", spec: httpSpec({ route: [{ ...dest("a"), weight: 0 }] }) },
  { name: "accepts a wildcard destination host", spec: httpSpec({ route: [dest("*.example.com")] }) },
  { name: "accepts subset and port on a destination", spec: httpSpec({ route: [dest("reviews.prod.svc.cluster.local", { subset: "v2", port: { number: 9080 } })] }) },
  { name: "accepts an empty subset as no subset", spec: httpSpec({ route: [dest("reviews", { subset: "" })] }) },
];

describe("Destination and weighted route destinations", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
