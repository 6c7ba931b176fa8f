/**
 * The editor's view of the manifest: yaml-language-server's own validation and hover, finding the published schema
 * through the manifest's `$schema` line in a workspace that has tradeops installed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DESK } from "../helpers/cli.js";

// the package's ES build leaves out file extensions Node needs; its CommonJS build loads as it is
const { getLanguageService } = createRequire(import.meta.url)(
  "yaml-language-server/lib/umd/languageservice/yamlLanguageService.js",
) as typeof import("yaml-language-server/lib/umd/languageservice/yamlLanguageService.js");

const ROOT = join(import.meta.dirname, "../..");
const SCHEMA = join(ROOT, "schema/tradeops.schema.json");

/** A workspace elsewhere on disk with tradeops "installed": node_modules/tradeops → this package. */
const shop = mkdtempSync(join(tmpdir(), "tradeops-editor-"));
mkdirSync(join(shop, "node_modules"));
symlinkSync(ROOT, join(shop, "node_modules/tradeops"));
afterAll(() => rmSync(shop, { recursive: true, force: true }));

let version = 0;
async function diagnose(text: string) {
  const ls = getLanguageService({
    schemaRequestService: async (uri: string) => readFileSync(new URL(uri), "utf8"),
    workspaceContext: { resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).href },
  });
  ls.configure({ validate: true, hover: true, completion: true });
  const path = join(shop, `${++version}`, "tradeops.yaml");
  mkdirSync(join(shop, `${version}`));
  writeFileSync(path, text);
  // the document sits one level below the shop: the `$schema` line must say so, as init writes it
  const doc = TextDocument.create(pathToFileURL(path).href, "yaml", version, text);
  return { ls, doc };
}

const MODELINE = "# yaml-language-server: $schema=../node_modules/tradeops/schema/tradeops.schema.json\n";
const desk = readFileSync(join(DESK, "tradeops.yaml"), "utf8");

describe("yaml-language-server with the published schema", () => {
  it("the example desk's `$schema` line names the installed package", () => {
    expect(desk.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=node_modules/tradeops/schema/tradeops.schema.json",
    );
  });

  it("finds nothing wrong in the example desk's manifest", async () => {
    const { ls, doc } = await diagnose(MODELINE + desk.split("\n").slice(1).join("\n"));
    expect((await ls.doValidation(doc, false)).map((d) => d.message)).toEqual([]);
  });

  it("marks an unknown key and a wrong type, where they are", async () => {
    const { ls, doc } = await diagnose(
      `${MODELINE}name: desk\nprojects:\n  argo:\n    path: argo\n    prot: 8000\n    port: eighty\n`,
    );
    const messages = (await ls.doValidation(doc, false)).map((d) => `${d.range.start.line}:${d.message}`);
    expect(messages).toContain("5:Property prot is not allowed.");
    expect(messages).toContain('6:Incorrect type. Expected "integer".');
  });

  it("shows a key's description on hover", async () => {
    const { ls, doc } = await diagnose(
      `${MODELINE}name: desk\nprojects:\n  argo:\n    path: argo\n    coupledWith: []\n`,
    );
    const hover = await ls.doHover(doc, { line: 5, character: 6 });
    expect(JSON.stringify(hover?.contents)).toContain("projects always tested and deployed with this one");
  });

  it("uses only the formats JSON Schema defines", () => {
    const formats = [...readFileSync(SCHEMA, "utf8").matchAll(/"format": "([^"]+)"/g)].map((m) => m[1]);
    expect(formats.filter((f) => !["uri", "date-time", "email", "uuid", "regex"].includes(f!))).toEqual([]);
  });
});
