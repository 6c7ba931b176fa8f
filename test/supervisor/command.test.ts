/** Commands as data: what the supervisor runs and the variables it adds. */
import { describe, expect, it } from "vitest";
import { buildStartArgv, instanceVariables, SUPERVISOR_MARKER } from "../../src/supervisor/command.js";

describe("buildStartArgv", () => {
  it("execs a simple command, so the pid watched is the service itself", () => {
    expect(buildStartArgv("node server.mjs")).toEqual(["sh", "-c", "exec node server.mjs"]);
    expect(buildStartArgv("  python3 main.py --port $PORT ")).toEqual([
      "sh",
      "-c",
      "exec python3 main.py --port $PORT",
    ]);
  });
  it("keeps the shell for lists, pipes, assignments and builtins", () => {
    for (const command of [
      "npm run build && node dist/main.js",
      "a | b",
      "FOO=1 node x.js",
      "cd app; node x.js",
      "(node x.js)",
      "if true; then x; fi",
    ]) {
      expect(buildStartArgv(command)).toEqual(["sh", "-c", command]);
    }
  });
});

describe("instanceVariables", () => {
  it("sets PORT, colour, release, orders and the marker a restarted supervisor looks for", () => {
    expect(
      instanceVariables({ name: "argo@blue", stateDir: "/s", port: 8101, color: "blue", release: "r1", orders: false }),
    ).toEqual({
      PORT: "8101",
      TRADEOPS_COLOR: "blue",
      TRADEOPS_RELEASE: "r1",
      TRADEOPS_ORDERS: "off",
      TRADEOPS_INSTANCE: "argo@blue",
      [SUPERVISOR_MARKER]: "/s#argo@blue",
    });
    expect(instanceVariables({ name: "w", stateDir: "/s", orders: true })).not.toHaveProperty("PORT");
  });
});
