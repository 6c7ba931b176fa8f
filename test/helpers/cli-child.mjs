// Runs the tradeops CLI from the TypeScript sources in a child process (through jiti), so that a test can kill a
// deploy at any moment. Usage: node --import jiti/register test/helpers/cli-child.mjs ARGS...
const module = await import("../../src/cli/main.ts");
const { runCli } = module.runCli ? module : module.default;
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  hostname: () => "test-host",
});
