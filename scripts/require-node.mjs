// Plain JavaScript on purpose: it must run (and explain itself) on any Node, before a dependency
// that needs a newer one fails with a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `triad needs Node.js >= 22.12 (this is ${process.version}); install Node 24, e.g. ${hint(process.platform, process.arch)}`,
  );
  process.exit(1);
}

/** How to get Node 24 on this system, in one line: the usual way on each OS, nodejs.org otherwise. */
function hint(platform, arch) {
  if (platform === "darwin")
    return "`brew install node@24` or `nvm install 24` (https://nodejs.org/en/download).";
  if (platform === "win32")
    return "`winget install OpenJS.NodeJS.LTS` or `nvm install 24` with nvm-windows (https://nodejs.org/en/download).";
  // The official Linux binaries are also on the npm registry, as node-linux-<arch>.
  const pkg = `node-linux-${arch === "arm64" ? "arm64" : "x64"}`;
  return `\`nvm install 24\`, or \`npm install --prefix .cache/node ${pkg}@24\` and put .cache/node/node_modules/${pkg}/bin first on PATH.`;
}
