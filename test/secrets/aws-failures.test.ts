/**
 * AWS failures say what failed and what to check, with the SDK's error name and message: a refused connection, an
 * endpoint that accepts and never answers (cut off by the connect/request timeouts and bounded retries, in seconds),
 * a permission refused. Never a bare "Error", with or without --verbose.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AWS_MAX_ATTEMPTS, AWS_REQUEST_TIMEOUT_MS } from "../../src/secrets/providers/aws.js";
import { type FakeAws, startFakeAws } from "../helpers/aws-server.js";
import { cli } from "../helpers/cli.js";

let dir: string;
let aws: FakeAws;
let silent: Server;
const sockets: Socket[] = [];
let silentPort: number;
let closedPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tradeops-aws-"));
  writeFileSync(
    join(dir, "tradeops.yaml"),
    [
      "name: awsfail",
      "projects:",
      "  bot:",
      "    path: .",
      "    secrets:",
      "      API_KEY:",
      "        staging: [aws-secrets:bot/staging/api-key]",
      "      OTHER_KEY:",
      "        staging: [aws-secrets:bot/staging/other-key]",
      "      SSM_KEY:",
      "        staging: [aws-ssm:/bot/staging/ssm-key]",
      "",
    ].join("\n"),
  );
  aws = await startFakeAws();
  silent = createServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  silentPort = (silent.address() as { port: number }).port;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await aws.close();
  rmSync(dir, { recursive: true, force: true });
});

const envFor = (endpoint: string) => ({
  ...aws.env(),
  AWS_ENDPOINT_URL: endpoint,
  PATH: process.env.PATH ?? "",
  HOME: dir,
});
const check = (endpoint: string, ...flags: string[]) =>
  cli([...flags, "--env", "staging", "secrets", "check", "bot"], {
    cwd: dir,
    // SSM answers (not found): the endpoint under test is Secrets Manager's
    env: { ...envFor(endpoint), AWS_ENDPOINT_URL_SSM: aws.url },
  });

it("a refused connection names the error, the endpoint and what to check", async () => {
  for (const flags of [[], ["--verbose"]]) {
    const { code, stdout, stderr } = await check(`http://127.0.0.1:${closedPort}`, ...flags);
    const out = stdout + stderr;
    expect(code, out).toBe(69);
    expect(out).toContain("ECONNREFUSED");
    expect(out).toContain(`http://127.0.0.1:${closedPort} did not answer`);
    expect(out).toContain("check AWS_ENDPOINT_URL");
    expect(out).not.toMatch(/failed: Error\b(?!:)/);
  }
});

it("an endpoint that never answers fails within the timeouts and retries, saying so", async () => {
  const started = Date.now();
  const { code, stdout, stderr } = await check(`http://127.0.0.1:${silentPort}`);
  const took = Date.now() - started;
  const out = stdout + stderr;
  expect(code, out).toBe(69);
  expect(out).toMatch(/TimeoutError|timed out/i);
  expect(out).toContain(`${AWS_MAX_ATTEMPTS} attempts`);
  // cut off after its attempts, and the second secret does not wait them out again: never a minute and more
  expect(took).toBeLessThan(AWS_MAX_ATTEMPTS * AWS_REQUEST_TIMEOUT_MS + 8_000);
}, 60_000);

it("a refused permission names the exception, its message and the IAM policy", async () => {
  aws.secrets.set("bot/staging/api-key", "value-000000000001");
  aws.denied.add("bot/staging/api-key");
  const { code, stdout, stderr } = await check(aws.url);
  const out = stdout + stderr;
  expect(code, out).toBe(69);
  expect(out).toContain("AccessDeniedException: User: arn:aws:iam::123456789012:user/test is not authorized");
  expect(out).toContain("check the IAM policy");
  expect(out).not.toContain("value-000000000001");
});
