#!/usr/bin/env node
// The tradeops command. The CLI itself is bundled into dist/cli.js by `npm run build`.
import { hostname } from "node:os";
import { runCli } from "../dist/cli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  hostname,
});
