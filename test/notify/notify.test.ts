/**
 * `tradeops notify test` against local endpoints: a JSON webhook, a Slack-compatible webhook, the Telegram Bot
 * API and an SMTP server each receive the message; secrets named as ${NAME} never appear in a message, an
 * error or the output; a flaky endpoint is retried, a dead one fails with exit 69 after 3 attempts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli, copyWorkspace } from "../helpers/cli.js";
import { startHttpEndpoints, startSmtp } from "./servers.js";

const SECRETS = {
  HOOK_SECRET: "hook-secret-7a1b2c3d",
  SLACK_WEBHOOK_URL: "", // set once the server's port is known
  TELEGRAM_BOT_TOKEN: "123456:telegram-token-9f8e7d",
  SMTP_PASSWORD: "smtp-password-4c5d6e",
};

let http: Awaited<ReturnType<typeof startHttpEndpoints>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

beforeAll(async () => {
  http = await startHttpEndpoints();
  smtp = await startSmtp("ops", SECRETS.SMTP_PASSWORD);
  SECRETS.SLACK_WEBHOOK_URL = `http://127.0.0.1:${http.port}/slack/T000/B000/slack-secret-path-5e6f`;
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

function desk(channels: string): string {
  const ws = copyWorkspace();
  const manifest = join(ws, "tradeops.yaml");
  const text = readFileSync(manifest, "utf8").replace(
    "    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n",
    `    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n    notifications:\n${channels}`,
  );
  writeFileSync(manifest, text);
  return ws;
}

const everything = () => [http.received.map((r) => `${r.body}`).join("\n"), smtp.messages.join("\n")].join("\n");

it("sends the test message to a webhook, Slack, Telegram and SMTP, with no secret in any message", async () => {
  const ws = desk(
    [
      `      - { type: webhook, name: ops-hook, url: "http://127.0.0.1:${http.port}/hook/\${HOOK_SECRET}" }`,
      `      - { type: slack, name: desk-slack, url: "\${SLACK_WEBHOOK_URL}" }`,
      `      - { type: telegram, botToken: "\${TELEGRAM_BOT_TOKEN}", chatId: "4242", apiUrl: "http://127.0.0.1:${http.port}" }`,
      `      - { type: email, smtp: "smtp://ops:\${SMTP_PASSWORD}@127.0.0.1:${smtp.port}", from: desk@example.test, to: [ops@example.test] }`,
      "",
    ].join("\n"),
  );
  const { code, stdout, stderr } = await cli(["--workspace", ws, "--json", "notify", "test"], { env: SECRETS });
  expect(code, stderr).toBe(0);
  const out = JSON.parse(stdout);
  expect(out.channels.map((c: { channel: string; ok: boolean }) => [c.channel, c.ok])).toEqual([
    ["ops-hook", true],
    ["desk-slack", true],
    ["telegram", true],
    ["email", true],
  ]);
  const hook = http.received.find((r) => r.path === `/hook/${SECRETS.HOOK_SECRET}`)!;
  expect(JSON.parse(hook.body)).toMatchObject({ event: "test", environment: "development", workspace: "desk" });
  const slack = http.received.find((r) => r.path.startsWith("/slack/"))!;
  expect(JSON.parse(slack.body).text).toContain("Test message from tradeops");
  const telegram = http.received.find((r) => r.path === `/bot${SECRETS.TELEGRAM_BOT_TOKEN}/sendMessage`)!;
  expect(JSON.parse(telegram.body)).toMatchObject({ chat_id: "4242" });
  expect(smtp.messages.join("\n")).toContain("Test message from tradeops");
  for (const secret of Object.values(SECRETS)) {
    expect(everything()).not.toContain(secret);
    expect(stdout + stderr).not.toContain(secret);
  }
});

it("retries a flaky endpoint, and gives up on a dead one after 3 attempts with exit 69 and no secret", async () => {
  http.received.length = 0;
  const ws = desk(
    [
      `      - { type: webhook, name: flaky, url: "http://127.0.0.1:${http.port}/flaky" }`,
      `      - { type: slack, name: dead, url: "http://127.0.0.1:${http.port}/dead/\${HOOK_SECRET}" }`,
      "",
    ].join("\n"),
  );
  const { code, stdout, stderr } = await cli(["--workspace", ws, "notify", "test"], { env: SECRETS });
  expect(code).toBe(69);
  expect(stdout).toMatch(/✔ flaky +webhook +sent \(attempt 3\)/);
  expect(stdout).toMatch(/✘ dead +slack +failed after 3 attempts: dead: HTTP 500/);
  expect(stderr).toContain("1 of 2 notification channels did not take the message (dead).");
  expect(http.received.filter((r) => r.path.startsWith("/dead")).length).toBe(3);
  expect(stdout + stderr).not.toContain(SECRETS.HOOK_SECRET);
}, 20_000);

it("says so when the environment has no channel, or a channel's variable is not set", async () => {
  const none = await cli(["--workspace", copyWorkspace(), "notify", "test"], { env: {} });
  expect(none.code).toBe(78);
  expect(none.stderr).toContain("No notification channel is configured for development.");
  const ws = desk(`      - { type: slack, url: "\${SLACK_WEBHOOK_URL}" }\n`);
  const unset = await cli(["--workspace", ws, "notify", "test"], { env: {} });
  expect(unset.code).toBe(69);
  expect(unset.stdout).toContain("Notification channel slack: SLACK_WEBHOOK_URL is not set.");
}, 20_000);
