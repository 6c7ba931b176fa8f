/**
 * The console on projects that are not strategies: a worker without a port is judged by its heartbeat file, as
 * `tradeops health` does, and a service that sends no orders has no kill switch to flip.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, deskConsole, TOKEN } from "./helpers.js";

type Desk = Awaited<ReturnType<typeof deskConsole>>;
let desk: Desk;

beforeAll(async () => {
  desk = await deskConsole({
    token: TOKEN,
    manifest: (text) =>
      text.replace(
        "\nshared: [packages/shared]",
        "  pulse:\n    path: packages/shared\n    kind: worker\n    commands: { start: sleep 60 }\n" +
          "    health: { heartbeatFile: data/heartbeat, heartbeatMaxAgeSeconds: 30 }\n\nshared: [packages/shared]",
      ),
  });
});
afterAll(async () => desk?.close());

describe("console health of a worker", () => {
  it("answers from its heartbeat file: stale when old, healthy when fresh", async () => {
    const file = join(desk.root, "packages/shared/data/heartbeat");
    mkdirSync(join(desk.root, "packages/shared/data"), { recursive: true });
    writeFileSync(file, "");
    const old = Date.now() / 1000 - 120;
    utimesSync(file, old, old);
    const stale = await desk.app.inject({ url: "/api/v1/projects/pulse/health" });
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toMatchObject({
      project: "pulse",
      status: "unhealthy",
      checks: [{ name: "heartbeat", error_code: "heartbeat_stale" }],
    });
    writeFileSync(file, "");
    const fresh = await desk.app.inject({ url: "/api/v1/projects/pulse/health?level=1" });
    expect(fresh.json()).toMatchObject({ project: "pulse", level: 1, status: "healthy", passing: 1, total: 1 });
  });
  it("refuses to halt a service that sends no orders (400), writing no kill switch", async () => {
    const r = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/alpine-backend/halt",
      headers: bearer(),
      payload: { reason: "test" },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toBe(
      "alpine-backend is a service that sends no orders: a kill switch has nothing to stop there.",
    );
    expect(existsSync(join(desk.root, ".tradeops/control/alpine-backend.json"))).toBe(false);
  });
});
