import { parseLabels } from "./labels.ts";
import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";

export const proxyVerb: Verb = {
  name: "proxy",
  summary: "run a sidecar proxy (standalone from Istio YAML)",
  usage: `Usage: skein proxy --config FILE [options]
       skein proxy --control-plane URL --join-token TOKEN --cache-dir DIR [options]

Runs a sidecar with Envoy's data-path semantics. The app sends plain HTTP to the
outbound port (Host header or absolute URL, so HTTP_PROXY works); peer sidecars call the
inbound port with mutual TLS, and the sidecar forwards to the app on --app-port.
In standalone mode the service registry is the ServiceEntries of FILE (resolution
STATIC, with endpoints), plus its VirtualServices, DestinationRules,
PeerAuthentications and AuthorizationPolicies. The file is re-read on SIGHUP and when
it changes; an invalid file is refused and the last good config stays in force.
With --control-plane the sidecar registers the workload, gets its certificate from the
control plane's CA (rotated at half-life) and follows its pushed config, ACKing or
NACKing each version; it keeps serving its last good config (cached in --cache-dir)
while the control plane is away, and can restart from that cache.

Options:
      --config FILE            Istio YAML (standalone mode)
      --control-plane URL      the control plane's API URL (managed mode)
      --join-token TOKEN       this workload's join token (managed mode; or SKEIN_JOIN_TOKEN)
      --cache-dir DIR          where the last good config and the certificate are kept (managed mode)
      --service NAME:PORT[:PROTOCOL]
                               the service this workload serves (managed mode)
      --outbound-port N        outbound listener port (default 15001; 0 picks a free port)
      --inbound-port N         inbound listener port (needs --app-port)
      --app-port N             the local app's port, for inbound traffic
      --workload NAME          this workload's name (default: skein-proxy)
  -n, --namespace NS           this workload's namespace (default: default)
      --service-account SA     this workload's service account (default: default)
      --labels k=v,...         this workload's labels (app, version, ...)
      --trust-domain TD        SPIFFE trust domain (default: cluster.local)
      --cert F --key F --root-cert F
                               workload certificate, key and mesh root (PEM) for mTLS
      --metrics-port N         serve /stats/prometheus (Istio metrics) and /config_dump
      --access-log T           stdout (default), off, or a file path
      --trace-endpoint URL     export spans as OTLP/HTTP JSON to URL
      --trace-sampling P       percent of new traces sampled (default 100)
      --bind ADDR              address the listeners bind (default 127.0.0.1)
  -h, --help                   show this help`,
  async run(argv: string[], io: Io): Promise<number> {
    const { values } = parseVerbArgs(argv, {
      config: { type: "string" },
      "control-plane": { type: "string" },
      "join-token": { type: "string", default: process.env.SKEIN_JOIN_TOKEN },
      "cache-dir": { type: "string" },
      service: { type: "string" },
      "outbound-port": { type: "string", default: "15001" },
      "inbound-port": { type: "string" },
      "app-port": { type: "string" },
      workload: { type: "string", default: "skein-proxy" },
      namespace: { type: "string", short: "n", default: "default" },
      "service-account": { type: "string", default: "default" },
      labels: { type: "string", default: "" },
      "trust-domain": { type: "string", default: "cluster.local" },
      cert: { type: "string" },
      key: { type: "string" },
      "root-cert": { type: "string" },
      "metrics-port": { type: "string" },
      "access-log": { type: "string", default: "stdout" },
      "trace-endpoint": { type: "string" },
      "trace-sampling": { type: "string", default: "100" },
      bind: { type: "string", default: "127.0.0.1" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      io.stdout(this.usage + "\n");
      return 0;
    }
    const managed = values["control-plane"] !== undefined;
    if (managed === (values.config !== undefined)) throw new UsageError("give either --config FILE (standalone) or --control-plane URL (managed)");
    if (managed && (!values["join-token"] || !values["cache-dir"])) throw new UsageError("--control-plane needs --join-token and --cache-dir");
    const port = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number, not "${v}"`);
      return n;
    };
    const inboundPort = port("inbound-port", values["inbound-port"]);
    const appPort = port("app-port", values["app-port"]);
    if ((inboundPort === undefined) !== (appPort === undefined)) throw new UsageError("--inbound-port and --app-port go together");
    const labels = parseLabels(values.labels);
    const sampling = Number(values["trace-sampling"]);
    if (!(sampling >= 0 && sampling <= 100)) throw new UsageError("--trace-sampling must be a percentage from 0 to 100");

    // Loaded lazily so `skein validate` does not pay for the proxy's imports.
    const { openAccessLog, parseAccessLogTarget } = await import("../proxy/telemetry/access-log.ts");
    const td = values["trust-domain"]!;
    const ns = values.namespace!;
    const sa = values["service-account"]!;
    const sidecarOptions = {
      workload: { name: values.workload!, namespace: ns, serviceAccount: sa, labels, trustDomain: td, spiffeId: `spiffe://${td}/ns/${ns}/sa/${sa}` },
      accessLog: openAccessLog(parseAccessLogTarget(values["access-log"])),
      outboundPort: port("outbound-port", values["outbound-port"])!,
      ...(inboundPort !== undefined ? { inbound: { port: inboundPort, appPort: appPort! } } : {}),
      ...(values["metrics-port"] !== undefined ? { metricsPort: port("metrics-port", values["metrics-port"])! } : {}),
      ...(values["trace-endpoint"] ? { traceEndpoint: values["trace-endpoint"] } : {}),
      samplingPercent: sampling,
      host: values.bind!,
    };
    const log = (line: string) => io.stderr(`skein proxy: ${line}\n`);
    let proxy: { sidecar: { current(): { version: string } | undefined }; start(): Promise<{ outbound: number; inbound?: number; metrics?: number }>; stop(): Promise<void>; reload?(reason: string): Promise<void> };
    if (managed) {
      const { ManagedProxy } = await import("../proxy/managed.ts");
      proxy = new ManagedProxy({
        sidecar: sidecarOptions,
        controlPlane: values["control-plane"]!,
        token: values["join-token"]!,
        cacheDir: values["cache-dir"]!,
        ...(values.service ? { service: parseService(values.service) } : {}),
        log,
      });
    } else {
      const { StandaloneProxy } = await import("../proxy/standalone.ts");
      const { IdentitySource } = await import("../proxy/identity.ts");
      let identity;
      try {
        identity = IdentitySource.fromFiles({ cert: values.cert, key: values.key, rootCert: values["root-cert"] });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      proxy = new StandaloneProxy(values.config!, { ...sidecarOptions, identity }, log);
    }
    let ports;
    try {
      ports = await proxy.start();
    } catch (e) {
      io.stderr(`skein proxy: ${(e as Error).message}\n`);
      return 1;
    }
    io.stderr(
      `skein proxy: ${values.workload}.${ns} config ${proxy.sidecar.current()!.version}; outbound ${values.bind}:${ports.outbound}` +
        (ports.inbound !== undefined ? `, inbound ${values.bind}:${ports.inbound} -> app :${appPort}` : "") +
        (ports.metrics !== undefined ? `, metrics http://${values.bind}:${ports.metrics}/stats/prometheus` : "") +
        "\n",
    );
    if (proxy.reload) process.on("SIGHUP", () => void proxy.reload!("SIGHUP"));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await proxy.stop();
    return 0;
  },
};

/** `--service reviews:9080[:HTTP]` as the registry wants it. */
function parseService(text: string): { name: string; ports: { port: number; name: string; protocol?: string }[] } {
  const [name, portText, protocol] = text.split(":");
  const portNumber = Number(portText);
  if (!name || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw new UsageError(`--service wants NAME:PORT[:PROTOCOL], not "${text}"`);
  const proto = protocol ?? "HTTP";
  return { name, ports: [{ port: portNumber, name: `${proto.toLowerCase()}-${portNumber}`, protocol: proto }] };
}
