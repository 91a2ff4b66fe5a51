#!/usr/bin/env node
// Entry for `npx triad`: check the Node version first, then load the compiled CLI.
import "../scripts/require-node.mjs";

process.env.TRIAD_BIN = "1";
await import("../dist/main.js");
