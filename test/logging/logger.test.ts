import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.js";
import { SecretScrubber } from "../../src/logging/scrubber.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c) => (text += String(c)));
  return { stream, text: () => text };
}

it("writes JSON lines at the configured level, redacting sensitive paths and scrubbing known secrets", () => {
  const out = capture();
  const scrubber = new SecretScrubber();
  scrubber.add("live-key-value-123456", "secret ALPACA_API_KEY");
  const log = createLogger({
    level: "info",
    destination: out.stream,
    scrubber,
    redactPaths: ["config.alpaca.api_key"],
  });
  log.debug("hidden at info");
  log.info({ config: { alpaca: { api_key: "live-key-value-123456", paper: true } } }, "started");
  log.error({ err: new Error("broker said: bad key live-key-value-123456") }, "failed");
  const lines = out
    .text()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => l.msg)).toEqual(["started", "failed"]);
  expect(lines[0].config.alpaca).toEqual({ api_key: "[redacted]", paper: true });
  expect(out.text()).not.toContain("live-key-value-123456");
  expect(out.text()).toContain("[redacted: secret ALPACA_API_KEY]");
});

it("pretty-prints for a terminal", () => {
  const out = capture();
  const log = createLogger({ level: "debug", destination: out.stream, pretty: true });
  log.debug("detected development");
  expect(out.text()).toContain("detected development");
  expect(() => JSON.parse(out.text())).toThrow();
});
