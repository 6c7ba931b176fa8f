// Builds dist/: the CLI and the library as ESM bundles (one file to parse keeps `tradeops env` fast),
// commands split into chunks loaded on demand, and type declarations from tsc.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  legalComments: "none",
  define: { __TRADEOPS_VERSION__: JSON.stringify(pkg.version) },
  // native addons, dynamic loaders and worker-based modules stay in node_modules
  external: ["pino", "pino-pretty", "jiti", "better-sqlite3", "pg", "pg-native", "@aws-sdk/*", "playwright-core"],
  banner: {
    js: "import { createRequire as __trCreateRequire } from 'node:module'; const require = __trCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
