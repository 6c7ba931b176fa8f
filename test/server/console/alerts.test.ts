/**
 * The console's notifications: a halt and a resume the signal log records reach the environment's webhook (a
 * risk rule's halt as `risk-trip`), and a service the supervisor gives up on is a `give-up` — against a local
 * webhook server, a real SQLite signal store and a real supervisor.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openSignalStore } from "../../../src/signals/open.js";
import type { SignalStore } from "../../../src/signals/types.js";
import { startHttpEndpoints } from "../../notify/servers.js";
import { deskConsole } from "./helpers.js";

let http: Awaited<ReturnType<typeof startHttpEndpoints>>;
beforeAll(async () => {
  http = await startHttpEndpoints();
});
afterAll(() => http?.close());

async function until<T>(probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const events = () => http.received.filter((r) => r.path === "/hook").map((r) => JSON.parse(r.body));

it("sends halts, risk trips and resumes from the signal log, and give-ups from the supervisor", async () => {
  let store: SignalStore | undefined;
  const desk = await deskConsole({
    manifest: (text) =>
      text
        .replace(
          "    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n",
          `    idle: { processes: [cursor, code], heartbeatMaxAgeMinutes: 30 }\n    notifications:\n      - { type: webhook, url: "http://127.0.0.1:${http.port}/hook", events: [halt, resume, risk-trip, give-up] }\n`,
        )
        // a service that dies at once: the supervisor gives up after its restarts
        .replace("      start: node server.mjs\n", '      start: node -e "process.exit(3)"\n')
        .replace("    health: { deepPath: /health/deep }", "    health: { deepPath: /health/deep, maxRestarts: 1 }"),
    prepare: async (ctx) => {
      store = await openSignalStore({ workspace: ctx.workspace, environment: ctx.environment, env: {} });
    },
  });
  try {
    await store!.append([
      { project: "argo", kind: "signal", payload: { side: "buy" } },
      { project: "argo", kind: "halt", payload: { to: "halted", reason: "desk check", source: "kill-switch:cli:ops" } },
      { project: "argo", kind: "resume", payload: { to: "active", reason: "ok", source: "control:http" } },
      {
        project: "argo",
        kind: "halt",
        payload: { to: "halted", reason: "drawdown 16%", source: "risk:emergency_stop_loss" },
      },
    ]);
    await until(() => (events().length >= 3 ? true : undefined));
    expect(events().map((e) => [e.event, e.project, e.text.split("\n")[0]])).toEqual([
      ["halt", "argo", "argo: trading halted."],
      ["resume", "argo", "argo: trading resumed."],
      ["risk-trip", "argo", "argo: a risk rule halted trading (emergency_stop_loss)."],
    ]);
    expect(events()[0].text).toContain("reason: desk check");

    await desk.context.supervisor.start({ project: "alpine-backend", orders: true }, desk.context.env);
    const giveUp = await until(() => events().find((e) => e.event === "give-up"), 40_000);
    expect(giveUp).toMatchObject({ project: "alpine-backend", environment: "development" });
    expect(giveUp.text).toContain("the supervisor gave up restarting it");
  } finally {
    await store?.close();
    await desk.close();
  }
}, 60_000);
