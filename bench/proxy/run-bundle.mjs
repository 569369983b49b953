// Runs a sidecar bundle given by path (`node run-bundle.mjs <bundle.mjs> proxy ...`), so
// bench/proxy-ab.ts can measure two builds of the sidecar side by side.
const [bundle, ...argv] = process.argv.slice(2);
const { main } = await import(bundle);
process.exitCode = await main(argv);
