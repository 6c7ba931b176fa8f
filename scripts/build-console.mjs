// Builds the desk console's dashboard (console/, Preact and lightweight-charts) into dist/console: one
// hashed JS and CSS file under assets/ and the index.html that names them. Run by scripts/build.mjs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";

export async function buildConsole(root = new URL("..", import.meta.url).pathname) {
  const out = join(root, "dist", "console");
  rmSync(out, { recursive: true, force: true });
  const result = await build({
    entryPoints: { app: join(root, "console", "main.tsx") },
    outdir: join(out, "assets"),
    entryNames: "[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox115", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    sourcemap: "linked",
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const js = files.find((f) => f.endsWith(".js"));
  const css = files.find((f) => f.endsWith(".css"));
  mkdirSync(out, { recursive: true });
  const html = readFileSync(join(root, "console", "index.html"), "utf8")
    .replace("%JS%", js)
    .replace("%CSS%", css);
  writeFileSync(join(out, "index.html"), html);
  return { js, css };
}

if (import.meta.url === `file://${process.argv[1]}`) await buildConsole();
