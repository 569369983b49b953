// `npm run demo`: boots the demo mesh. The mesh runner is not built yet; say so plainly
// instead of starting half a demo.
console.error(`The Skein demo is not built yet.

What works today is the validator:
  npx skein validate -f <file-or-directory>

See README.md for the commands that exist.`);
process.exit(1);
