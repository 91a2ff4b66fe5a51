/**
 * The layering rules of ARCHITECTURE §9, checked by `npm run lint` (dependency-cruiser).
 * - src/core is pure: it imports only itself, zod, node:crypto and node:zlib (hashing and compressing
 *   data, both pure computations), and types from src/config.
 * - adapters (github, queue, stores, models, repo, diff, text, config, web) never import the shell.
 * - production code never imports src/sim; nothing in src has an import cycle.
 *
 * Parsed with swc (`@swc/core`): TypeScript 7, the native compiler, has no JavaScript API yet, so
 * dependency-cruiser prints a "missing-tsc-transpiler" notice and reads the sources through swc.
 */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "src/core imports only itself, zod, node:crypto, node:zlib and type-only src/config.",
      severity: "error",
      from: { path: "^src/core/" },
      to: {
        pathNot: ["^src/core/", "^node_modules/zod/", "^(node:)?crypto$", "^(node:)?zlib$"],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "core-types-only-from-config",
      comment: "src/core may import types from src/config, nothing else outside itself.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["type-only"], pathNot: ["^src/core/", "^src/config/", "^node_modules/zod/"] },
    },
    {
      name: "adapters-never-import-the-shell",
      severity: "error",
      from: { path: "^src/(github|queue|stores|models|repo|diff|text|config|web|ports)/" },
      to: { path: "^src/shell/" },
    },
    {
      name: "production-never-imports-sim",
      comment:
        "The simulator, scripted models and the demo's scenario are for tests, the demo and the playground.",
      severity: "error",
      from: { path: "^src/", pathNot: ["^src/sim/", "^src/demo/"] },
      to: { path: "^src/sim/" },
    },
    {
      name: "no-cycles",
      severity: "error",
      comment:
        "Type-only imports are erased at compile time and cut no cycle at run time; real ones are errors.",
      from: { path: "^src/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
