#!/usr/bin/env node
// The tradeops command. The CLI itself is bundled into dist/ by `npm run build`: dist/hot.js runs the most used
// read commands (`tradeops env`) without loading the full command tree; everything else goes to dist/cli.js.
import module from "node:module";

// Node 22.1+ keeps compiled code between runs (about halving the bundle's start-up); Node 20 has no such cache and
// starts without it
module.enableCompileCache?.();
const { hotMain } = await import("../dist/hot.js");
if (!(await hotMain())) {
  const { main } = await import("../dist/cli.js");
  await main();
}
