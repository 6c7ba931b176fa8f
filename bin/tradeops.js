#!/usr/bin/env node
// The tradeops command. The CLI itself is bundled into dist/cli.js by `npm run build`.
import { main } from "../dist/cli.js";

await main();
