// The main job on embedded defaults: the example desk in development (no credentials needed).
// It shows what tradeops decides and checks before anything runs.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/tradeops.js", import.meta.url));
const workspace = fileURLToPath(new URL("../examples/desk", import.meta.url));
const steps = [["env"], ["projects"], ["config", "check", "--all-envs"], ["config", "show", "argo"]];
for (const args of steps) {
  process.stdout.write(`\n$ tradeops ${args.join(" ")}\n`);
  const run = spawnSync(process.execPath, [bin, "--workspace", workspace, ...args], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
