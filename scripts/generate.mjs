// Writes the files generated from the manifest's zod schema; test/schema.test.ts fails when they drift.
import { writeFileSync } from "node:fs";
import { createJiti } from "jiti";

const jiti = createJiti(import.meta.url);
const { manifestJsonSchema } = await jiti.import("../src/workspace/schema.ts");
const { manifestReferenceMarkdown } = await jiti.import("../src/workspace/reference.ts");
writeFileSync(
  new URL("../schema/tradeops.schema.json", import.meta.url),
  `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`,
);
writeFileSync(new URL("../docs/manifest-reference.md", import.meta.url), manifestReferenceMarkdown());
process.stdout.write("wrote schema/tradeops.schema.json and docs/manifest-reference.md\n");
