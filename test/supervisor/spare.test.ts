/**
 * The warm spare's pure parts: the manifest rule (only `tradeops serve` stands by), the launch fingerprint, and the
 * standby handshake over a channel.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { isStandby, type StandbyChannel, standBy } from "../../src/node/standby.js";
import { launchFingerprint } from "../../src/supervisor/spare.js";
import { STANDBY_GO, STANDBY_READY } from "../../src/supervisor/standby-protocol.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { makeWorkspace } from "./helpers.js";

class Channel extends EventEmitter implements StandbyChannel {
  sent: unknown[] = [];
  connected = true;
  send = (message: unknown) => {
    this.sent.push(message);
    return true;
  };
  disconnect = () => {
    this.connected = false;
  };
}

describe("launchFingerprint", () => {
  const spec = { argv: ["sh", "-c", "exec node a.js"], cwd: "/srv/a", env: { PORT: "8000", ARGO_RISK: "1000" } };
  it("ignores the order of variables and the standby flag, and sees every other change", () => {
    const same = { ...spec, env: { ARGO_RISK: "1000", PORT: "8000", TRADEOPS_STANDBY: "1" } };
    expect(launchFingerprint(same)).toBe(launchFingerprint(spec));
    for (const changed of [
      { ...spec, env: { ...spec.env, ARGO_RISK: "1500" } },
      { ...spec, env: { ...spec.env, TRADEOPS_RELEASE: "r2" } },
      { ...spec, cwd: "/srv/b" },
      { ...spec, argv: ["sh", "-c", "exec node b.js"] },
    ])
      expect(launchFingerprint(changed)).not.toBe(launchFingerprint(spec));
  });
});

describe("standBy", () => {
  it("is a spare only with the variable and an open channel", () => {
    expect(isStandby({ TRADEOPS_STANDBY: "1" }, new Channel())).toBe(true);
    expect(isStandby({}, new Channel())).toBe(false);
    expect(isStandby({ TRADEOPS_STANDBY: "1" }, Object.assign(new Channel(), { send: undefined }))).toBe(false);
  });

  it("loads first, says ready, and goes on the supervisor's word (dropping the channel)", async () => {
    const channel = new Channel();
    const loaded: string[] = [];
    const waiting = standBy([async () => loaded.push("host")], channel);
    await new Promise((r) => setImmediate(r));
    expect(loaded).toEqual(["host"]);
    expect(channel.sent).toEqual([STANDBY_READY]);
    channel.emit("message", { tradeops: "something else" });
    channel.emit("message", STANDBY_GO);
    await expect(waiting).resolves.toBe(true);
    expect(channel.connected).toBe(false);
  });

  it("gives up when the supervisor goes away before the word", async () => {
    const channel = new Channel();
    const waiting = standBy([], channel);
    await new Promise((r) => setImmediate(r));
    channel.emit("disconnect");
    await expect(waiting).resolves.toBe(false);
  });
});

describe("health.warmSpare in the manifest", () => {
  it("is refused, naming where, unless a strategy's start command runs tradeops serve", () => {
    const bad = makeWorkspace({ web: { start: "python3 main.py", port: 8001, health: { warmSpare: true } } });
    let error: unknown;
    try {
      loadWorkspace({ workspace: bad });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "TRO_ERR_MANIFEST_INVALID",
      exitCode: 78,
      problems: [{ key: "projects.web.health.warmSpare", message: expect.stringContaining("`tradeops serve`") }],
    });
    const good = makeWorkspace({
      argo: {
        kind: "strategy",
        start: "node ../bin/tradeops.js --workspace . serve argo",
        health: { warmSpare: true },
      },
    });
    expect(loadWorkspace({ workspace: good }).projects.argo!.health.warmSpare).toBe(true);
  });
});
