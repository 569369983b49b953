// `npm run demo`: installs what is missing, then runs `skein demo` (the demo shop,
// its sidecars, the control plane and Prometheus) until Ctrl-C.
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "ensure-deps.mjs")], { stdio: "inherit" });
const child = spawn(process.execPath, [join(root, "apps", "mesh", "bin", "skein.mjs"), "demo", ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
// Ctrl-C reaches the child through the terminal's process group; just wait for it.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 1));
