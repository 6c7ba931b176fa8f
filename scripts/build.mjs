// Builds dist/: the CLI and the library as ESM bundles (one file to parse keeps `tradeops env` fast),
// commands split into chunks loaded on demand, and type declarations from tsc. The manifest's YAML parser and
// validator (src/workspace/validate.ts) go into their own CommonJS file that load.ts requires on first use only, so
// a command whose manifest snapshot is current never loads them (≈ 360 kB of code).
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { buildConsole } from "./build-console.mjs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const VALIDATE_CJS = "./workspace-validate.cjs";

/** load.ts's `./validate.js` becomes a stub that requires the CommonJS build of it when first called. */
const lazyValidation = {
  name: "lazy-manifest-validation",
  setup(b) {
    b.onResolve({ filter: /^\.\/validate\.js$/ }, (args) =>
      /[\\/]src[\\/]workspace[\\/]load\.ts$/.test(args.importer) ? { path: "validate", namespace: "lazy" } : undefined,
    );
    b.onResolve({ filter: /^\.\/workspace-validate\.cjs$/ }, () => ({ path: VALIDATE_CJS, external: true }));
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      loader: "js",
      contents: [
        "let real;",
        `const load = () => (real ??= require(${JSON.stringify(VALIDATE_CJS)}));`,
        "export const validateManifest = (...args) => load().validateManifest(...args);",
        "export const manifestLocator = (...args) => load().manifestLocator(...args);",
      ].join("\n"),
    }));
  },
};
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    cli: "src/cli/main.ts",
    index: "src/index.ts",
    // what a strategy module gets for `tradeops` when it imports only the strategy API (src/runtime/strategy-imports.ts)
    sdk: "src/sdk.ts",
    "sweep-worker": "src/runtime/sweep/worker.ts",
    "signals-verify-worker": "src/signals/sqlite/verify-worker.ts",
  },
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
  external: [
    "pino",
    "pino-pretty",
    "jiti",
    "better-sqlite3",
    "pg",
    "pg-native",
    "@aws-sdk/*",
    "playwright-core",
    // the swagger UI and static files are served from their package directories
    "@fastify/*",
    "nodemailer",
    "bcryptjs",
  ],
  banner: {
    js: "import { createRequire as __trCreateRequire } from 'node:module'; const require = __trCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
  plugins: [lazyValidation],
});
// the hot path (src/cli/hot.ts: `tradeops env`) as one file: a dozen module files to resolve and open cost more
// than the few kilobytes they hold
await build({
  entryPoints: ["src/cli/hot.ts"],
  outfile: "dist/hot.js",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  legalComments: "none",
  define: { __TRADEOPS_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: "import { createRequire as __trCreateRequire } from 'node:module'; const require = __trCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
  plugins: [lazyValidation],
});
await build({
  entryPoints: ["src/workspace/validate.ts"],
  outfile: `dist/${VALIDATE_CJS.slice(2)}`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  minifySyntax: true,
  minifyWhitespace: true,
  keepNames: true,
  legalComments: "none",
  logLevel: "warning",
});
// the front proxy: one self-contained file (Node built-ins only) that deploys copy to a target and run with `node`
await build({
  entryPoints: ["src/deploy/proxy/main.ts"],
  outfile: "dist/front-proxy.mjs",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifySyntax: true,
  keepNames: true,
  legalComments: "none",
  banner: { js: "// tradeops front proxy (copied here by tradeops deploy; do not edit)" },
  logLevel: "warning",
});
await buildConsole();
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
