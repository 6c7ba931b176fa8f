/** The `signals.store` setting: backends, `${VAR}` expansion, bad settings (exit 78), no password in any message. */
import { describe, expect, it } from "vitest";
import { resolveStoreSetting } from "../../src/signals/index.js";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest syntax under test
const DATABASE_URL = "${DATABASE_URL}";
const base = { root: "/ws", key: "environments.production.signals.store", where: { file: "tradeops.yaml", line: 31 } };

describe("resolveStoreSetting", () => {
  it("resolves sqlite paths against the workspace root, absolute ones as they are", () => {
    expect(resolveStoreSetting("sqlite:data/signals.db", { ...base, env: {} })).toEqual({
      backend: "sqlite",
      path: "/ws/data/signals.db",
      display: "data/signals.db",
    });
    expect(resolveStoreSetting("sqlite:/var/lib/x.db", { ...base, env: {} })).toMatchObject({ path: "/var/lib/x.db" });
  });

  it("expands variables from the environment and never shows the password", () => {
    const location = resolveStoreSetting(`postgres:${DATABASE_URL}`, {
      ...base,
      env: { DATABASE_URL: "postgres://desk:s3cr%40t@db.internal:5433/signals?sslmode=require" },
    });
    expect(location).toEqual({
      backend: "postgres",
      url: "postgres://desk:s3cr%40t@db.internal:5433/signals?sslmode=require",
      display: "postgres://desk:***@db.internal:5433/signals",
      secrets: ["s3cr%40t", "s3cr@t"],
    });
  });

  it("accepts a postgres URL written directly after the prefix, and postgresql://", () => {
    expect(resolveStoreSetting("postgres://u@h/db", { ...base, env: {} })).toMatchObject({ url: "postgres://u@h/db" });
    expect(resolveStoreSetting("postgres:postgresql://u@h/db", { ...base, env: {} })).toMatchObject({
      display: "postgresql://u@h/db",
    });
  });

  it("an unset variable is a configuration error naming the key, the variable and the line", () => {
    let error: unknown;
    try {
      resolveStoreSetting(`postgres:${DATABASE_URL}`, { ...base, env: { DATABASE_URL: "" } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "TRO_ERR_MANIFEST_INVALID",
      exitCode: 78,
      message: `environments.production.signals.store uses ${DATABASE_URL}, which is not set.`,
      problems: [{ file: "tradeops.yaml", line: 31, key: "environments.production.signals.store" }],
    });
  });

  it("refuses malformed settings with exit 78, without echoing the value", () => {
    const bad: [string, RegExp][] = [
      ["mysql://u:hunter22@h/db", /must be sqlite:PATH or postgres:URL/],
      ["postgres:not a url", /is not a valid postgres URL/],
      ["postgres:http://u:hunter22@h/db", /names a http URL, not postgres/],
    ];
    for (const [setting, message] of bad) {
      let error: Error & { exitCode?: number } = new Error("none");
      try {
        resolveStoreSetting(setting, { ...base, env: {} });
      } catch (e) {
        error = e as Error;
      }
      expect(error.message).toMatch(message);
      expect(error.exitCode).toBe(78);
      expect(error.message).not.toContain("hunter22");
    }
  });
});
