import { watch, type FSWatcher } from "node:fs";
import type { WorkloadIdentity } from "@skein/shared";
import { ConfigRejected, loadConfigFile } from "./config-file.ts";
import { Sidecar, type SidecarOptions, type SidecarPorts } from "./sidecar.ts";

/**
 * `skein proxy --config FILE`: a sidecar fed by one Istio YAML file. The file is re-read
 * on SIGHUP and when it changes; a file that does not validate is refused and the sidecar
 * keeps serving its last good config.
 */
export class StandaloneProxy {
  readonly sidecar: Sidecar;
  private watcher: FSWatcher | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    private readonly configPath: string,
    options: SidecarOptions,
    private readonly log: (line: string) => void,
  ) {
    this.sidecar = new Sidecar(options);
  }

  get workload(): WorkloadIdentity {
    return this.sidecar.current()!.workload;
  }

  async start(): Promise<SidecarPorts> {
    await this.load();
    const ports = await this.sidecar.start();
    let timer: NodeJS.Timeout | undefined;
    // Editors replace files (rename), so watch and debounce rather than trusting one event.
    this.watcher = watch(this.configPath, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload("file changed"), 100);
    });
    return ports;
  }

  reload(reason: string): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        const before = this.sidecar.current()?.version;
        await this.load();
        const after = this.sidecar.current()?.version;
        if (before !== after) this.log(`config reloaded (${reason}): version ${after}`);
      } catch (e) {
        this.log(e instanceof ConfigRejected ? `config rejected, keeping version ${this.sidecar.current()?.version}:\n${e.message}` : `config reload failed: ${(e as Error).message}`);
      }
    });
    return this.reloading;
  }

  private async load(): Promise<void> {
    const { resources, registry } = await loadConfigFile(this.configPath);
    this.sidecar.apply(this.sidecar.compile(resources, registry));
  }

  async stop(): Promise<void> {
    this.watcher?.close();
    await this.sidecar.stop();
  }
}
