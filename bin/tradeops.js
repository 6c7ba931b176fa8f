#!/usr/bin/env node
// The tradeops command. The CLI itself is bundled into dist/cli.js by `npm run build`.
import module from "node:module";

// Node 22.1+ keeps compiled code between runs, which roughly halves the start-up cost of the bundle
module.enableCompileCache?.();
const { main } = await import("../dist/cli.js");
await main();
