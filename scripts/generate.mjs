// Writes the files generated from the manifest's zod schema; test/schema.test.ts fails when they drift:
// - schema/tradeops.schema.json, the JSON Schema for editors and other tools;
// - src/workspace/manifest-validator.generated.js, the same schema compiled by Ajv into plain code, so that the
//   CLI validates tradeops.yaml without loading zod or a schema compiler at start-up;
// - docs/manifest-reference.md.
import { writeFileSync } from "node:fs";
import { createJiti } from "jiti";

const jiti = createJiti(import.meta.url);
const { manifestJsonSchema } = await jiti.import("../src/workspace/schema.ts");
const { manifestReferenceMarkdown } = await jiti.import("../src/workspace/reference.ts");
const { manifestValidatorSource } = await jiti.import("../src/workspace/validator-source.ts");
const schema = manifestJsonSchema();
writeFileSync(new URL("../schema/tradeops.schema.json", import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(
  new URL("../src/workspace/manifest-validator.generated.js", import.meta.url),
  manifestValidatorSource(schema),
);
writeFileSync(new URL("../docs/manifest-reference.md", import.meta.url), manifestReferenceMarkdown());
process.stdout.write(
  "wrote schema/tradeops.schema.json, src/workspace/manifest-validator.generated.js, docs/manifest-reference.md\n",
);
