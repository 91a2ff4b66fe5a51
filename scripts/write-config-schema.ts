// Regenerates schema/triad.schema.json from the zod schema (run: npm run schema).
import { mkdirSync, writeFileSync } from "node:fs";
import { repoConfigJsonSchema } from "../src/config/repo-config.js";

mkdirSync("schema", { recursive: true });
writeFileSync("schema/triad.schema.json", `${JSON.stringify(repoConfigJsonSchema(), null, 2)}\n`);
console.log("wrote schema/triad.schema.json");
