import { PassThrough } from "node:stream";
import { format, inspect } from "node:util";
import pino from "pino";
import { expect, it } from "vitest";
import { Secret } from "../../src/secrets/secret.js";

const VALUE = "PKTAINTEDVALUE000000001";
const secret = new Secret("ALPACA_API_KEY", "aws-secrets:alpaca-api-key-dev", VALUE);
const REDACTED = "[redacted: ALPACA_API_KEY from aws-secrets:alpaca-api-key-dev]";

it("shows only its redaction marker in every textual form", () => {
  expect(String(secret)).toBe(REDACTED);
  expect(`${secret}`).toBe(REDACTED);
  expect(`key=${secret}`).toBe(`key=${REDACTED}`);
  expect(JSON.stringify({ key: secret })).toBe(`{"key":"${REDACTED}"}`);
  expect(inspect(secret)).toBe(REDACTED);
  expect(inspect({ nested: { secret } }, { depth: 5 })).not.toContain(VALUE);
  expect(format("%s %o %O %j", secret, secret, secret, secret)).not.toContain(VALUE);
  expect(`${secret}` + secret).not.toContain(VALUE);
  expect(new Error(`login failed with ${secret}`).message).not.toContain(VALUE);
});

it("stays redacted through pino serialization", () => {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c) => (text += String(c)));
  pino({}, stream).info({ secret, list: [secret] }, `using ${secret}`);
  expect(text).toContain(REDACTED);
  expect(text).not.toContain(VALUE);
});

it("gives the value only through reveal(), and cannot be changed", () => {
  expect(secret.reveal()).toBe(VALUE);
  expect(Object.isFrozen(secret)).toBe(true);
  expect(Object.keys(secret)).toEqual(["name", "source"]);
});

it("never carries its value in its marker, even when the source was written with it", () => {
  const careless = new Secret("TOKEN", "exec:echo hunter2hunter2", "hunter2hunter2");
  expect(String(careless)).toBe("[redacted: TOKEN from exec]");
});
