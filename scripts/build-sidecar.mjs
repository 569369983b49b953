// Bundles what sidecar and demo-app processes run (`skein proxy`, `skein app`) into one
// JavaScript file, so a mesh's many sidecar processes do not each carry the TypeScript
// loader: measured here, an idle sidecar drops from 133 MB to 82 MB RSS.
// bin/skein.mjs uses the bundle only while it is newer than every source file.
//
// Every sidecar holds its bundle's source text in its heap for as long as it runs, and
// runs the top level of every module in it, so (measured on an idle sidecar):
// - whitespace and comments go: V8 keeps a script that holds one character above U+00FF
//   (a "§" in a comment was enough) as two bytes per character, 6.8 MB instead of 2.3 MB;
//   names stay, so CPU profiles and stack traces still read; the linked source map turns
//   bundle positions back into files (bench/proxy/cpuprofile.ts, `node --enable-source-maps`);
// - undici and prom-client come in through slim entries (SLIM below): their index files
//   load fetch, WebSocket, caches, mocks, cluster aggregation and default metrics, which
//   no sidecar calls and which cost ~3 MB of heap in each one.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SIDECAR_BUNDLE = join(root, "apps", "mesh", "dist", "cli", "sidecar.mjs");
const requireFromRoot = createRequire(join(root, "package.json"));

/**
 * The bundle's view of two packages: exactly the names the bundled sources import, each
 * taken from the package's own module for it. The build fails if a bundled source imports
 * a name that is not here, rather than shipping a sidecar that finds `undefined`.
 */
const SLIM = {
  undici: {
    names: ["Agent", "Client", "Dispatcher", "Pool", "buildConnector", "errors", "request", "util"],
    contents: `
      const Dispatcher = require("./lib/dispatcher/dispatcher");
      const api = require("./lib/api");
      const util = require("./lib/core/util");
      const { InvalidArgumentError } = require("./lib/core/errors");
      const { getGlobalDispatcher } = require("./lib/global");
      // As undici's index.js does: request(), stream(), ... on every dispatcher.
      Object.assign(Dispatcher.prototype, api);
      exports.Dispatcher = Dispatcher;
      exports.Client = require("./lib/dispatcher/client");
      exports.Pool = require("./lib/dispatcher/pool");
      exports.Agent = require("./lib/dispatcher/agent");
      exports.buildConnector = require("./lib/core/connect");
      exports.errors = require("./lib/core/errors");
      exports.util = { parseHeaders: util.parseHeaders, headerNameToString: util.headerNameToString };
      // undici's index.js makeDispatcher(api.request), unchanged.
      exports.request = (url, opts, handler) => {
        if (typeof opts === "function") {
          handler = opts;
          opts = null;
        }
        if (!url || (typeof url !== "string" && typeof url !== "object" && !(url instanceof URL))) throw new InvalidArgumentError("invalid url");
        if (opts != null && typeof opts !== "object") throw new InvalidArgumentError("invalid opts");
        if (opts && opts.path != null) {
          if (typeof opts.path !== "string") throw new InvalidArgumentError("invalid opts.path");
          let path = opts.path;
          if (!opts.path.startsWith("/")) path = "/" + path;
          url = new URL(util.parseOrigin(url).origin + path);
        } else {
          if (!opts) opts = typeof url === "object" ? url : {};
          url = util.parseURL(url);
        }
        const { agent, dispatcher = getGlobalDispatcher() } = opts;
        if (agent) throw new InvalidArgumentError("unsupported opts.agent. Did you mean opts.client?");
        return api.request.call(
          dispatcher,
          { ...opts, origin: url.origin, path: url.search ? url.pathname + url.search : url.pathname, method: opts.method || (opts.body ? "PUT" : "GET") },
          handler,
        );
      };
    `,
  },
  "prom-client": {
    names: ["Counter", "Gauge", "Registry"],
    contents: `
      exports.Registry = require("./lib/registry");
      exports.Counter = require("./lib/counter");
      exports.Gauge = require("./lib/gauge");
    `,
  },
};

const slimEntries = {
  name: "slim-entries",
  setup(b) {
    b.onResolve({ filter: /^(undici|prom-client)$/ }, (args) => ({ path: args.path, namespace: "slim" }));
    b.onLoad({ filter: /.*/, namespace: "slim" }, (args) => ({
      contents: SLIM[args.path].contents,
      loader: "js",
      resolveDir: dirname(requireFromRoot.resolve(`${args.path}/package.json`)),
    }));
  },
};

const result = await build({
  entryPoints: [join(root, "apps", "mesh", "src", "cli", "sidecar-entry.ts")],
  outfile: SIDECAR_BUNDLE,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  metafile: true,
  absWorkingDir: root,
  plugins: [slimEntries],
  // The database is the control plane's, never a sidecar's.
  external: ["better-sqlite3", "@prisma/*"],
  // Some bundled CommonJS packages call require(); give them one in this ES module.
  banner: { js: "import { createRequire as __skeinRequire } from 'node:module'; const require = __skeinRequire(import.meta.url);" },
  logLevel: "warning",
});

checkSlimNames(Object.keys(result.metafile.inputs).filter((f) => /\.tsx?$/.test(f)));

/** Every name a bundled source imports from a slimmed package must be one its slim entry exports. */
function checkSlimNames(sources) {
  const missing = [];
  for (const file of sources) {
    const text = readFileSync(join(root, file), "utf8");
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(undici|prom-client)"/g)) {
      for (const spec of m[1].split(",")) {
        const name = spec.trim().split(/\s+as\s+/)[0];
        if (!name || name.startsWith("type ")) continue;
        if (!SLIM[m[2]].names.includes(name)) missing.push(`${file} imports ${name} from ${m[2]}`);
      }
    }
  }
  if (missing.length > 0) throw new Error(`scripts/build-sidecar.mjs: add these to SLIM:\n${missing.join("\n")}`);
}
