/**
 * The console API over the example desk and a real supervisor: the OpenAPI document validates, every route it
 * lists is called with and without credentials (mutating routes refuse without them and change nothing; reads
 * are open on loopback and closed beyond it), and the main routes answer what the library says.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlFilePath } from "../../../src/runtime/control-file.js";
import { basicAuth, bearer, deskConsole, HASH, PASSWORD, TOKEN } from "./helpers.js";

type Desk = Awaited<ReturnType<typeof deskConsole>>;
type Operation = { method: string; path: string; secured: boolean; stream: boolean };

/** Every operation of the document, with `{name}` filled with a project and `{id}` with a backtest id. */
async function operations(desk: Desk): Promise<Operation[]> {
  const doc = (await desk.app.inject({ url: "/docs/json" })).json() as {
    paths: Record<
      string,
      Record<
        string,
        { security?: unknown[]; produces?: string[]; responses: Record<string, { content?: Record<string, unknown> }> }
      >
    >;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      secured: Boolean(op.security?.length),
      stream: path.endsWith("/stream") || path.endsWith("/events"),
    })),
  );
}

const BODIES: Record<string, Record<string, unknown>> = {
  "/api/v1/projects/{name}/halt": { reason: "route test" },
  "/api/v1/backtests": { project: "nope-not-a-project" },
  "/api/v1/projects/{name}/rollback": {},
};

function url(op: Operation): string {
  const project = /start|stop|restart/.test(op.path) ? "alpine-backend" : "argo";
  return op.path.replace("{name}", project).replace("{id}", "20260101000000-1");
}

describe("on loopback", () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await deskConsole({ token: TOKEN, basic: { user: "ops", hash: HASH } });
  }, 30_000);
  afterAll(() => desk?.close());

  it("serves an OpenAPI document that validates and lists the API", async () => {
    const response = await desk.app.inject({ url: "/docs/json" });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    const paths = Object.keys(doc.paths);
    for (const p of [
      "/api/v1/environment",
      "/api/v1/projects",
      "/api/v1/signals",
      "/api/v1/backtests",
      "/api/v1/projects/{name}/halt",
    ])
      expect(paths).toContain(p);
    expect(doc.components.securitySchemes).toMatchObject({
      bearerAuth: { scheme: "bearer" },
      basicAuth: { scheme: "basic" },
    });
    const ui = await desk.app.inject({ url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain("swagger");
  });

  it("refuses every mutating route without credentials and with wrong ones, changing nothing", async () => {
    const ops = (await operations(desk)).filter((o) => o.secured);
    expect(ops.map((o) => o.path)).toEqual(
      expect.arrayContaining([
        "/api/v1/projects/{name}/halt",
        "/api/v1/projects/{name}/resume",
        "/api/v1/projects/{name}/start",
        "/api/v1/projects/{name}/stop",
        "/api/v1/projects/{name}/restart",
        "/api/v1/projects/{name}/rollback",
        "/api/v1/backtests",
      ]),
    );
    for (const op of ops) {
      for (const headers of [{}, bearer("wrong-token"), basicAuth("ops", "wrong"), basicAuth("root", PASSWORD)]) {
        const r = await desk.app.inject({
          method: op.method as "POST",
          url: url(op),
          headers,
          payload: BODIES[op.path] ?? {},
        });
        expect(r.statusCode, `${op.method} ${op.path} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json().error.code).toBe("TRO_ERR_CONTROL_UNAUTHORIZED");
      }
    }
    expect(existsSync(controlFilePath(desk.root, "argo"))).toBe(false);
    expect(desk.context.status.current()?.instances ?? []).toEqual([]);
  });

  it("answers every read route without credentials", async () => {
    for (const op of (await operations(desk)).filter((o) => !o.secured && !o.stream)) {
      const r = await desk.app.inject({ method: op.method as "GET", url: url(op) });
      expect(r.statusCode, `${op.method} ${op.path}: ${r.body.slice(0, 200)}`).not.toBe(401);
      // 404: no such backtest yet; 503: nothing runs yet, so there is no book and no service to probe
      expect([200, 400, 404, 503], `${op.method} ${op.path}: ${r.body.slice(0, 200)}`).toContain(r.statusCode);
    }
  });

  it("streams the signal log and backtest progress as Server-Sent Events", async () => {
    const base = await desk.app.listen({ host: "127.0.0.1", port: 0 });
    const abort = new AbortController();
    try {
      for (const op of (await operations(desk)).filter((o) => o.stream && o.path.includes("signals"))) {
        const response = await fetch(`${base}${url(op)}`, { signal: abort.signal });
        expect(response.headers.get("content-type")).toContain("text/event-stream");
        const reader = response.body!.getReader();
        const first = new TextDecoder().decode((await reader.read()).value);
        expect(first).toContain(": connected");
      }
      const missing = await fetch(`${base}/api/v1/backtests/20260101000000-9/events`);
      expect(missing.status).toBe(404);
    } finally {
      abort.abort();
    }
  });

  it("lists projects with kind, mode, account and supervisor state", async () => {
    const { projects } = (await desk.app.inject({ url: "/api/v1/projects" })).json();
    const argo = projects.find((p: { name: string }) => p.name === "argo");
    expect(argo).toMatchObject({
      kind: "strategy",
      mode: "PAPER",
      account: { broker: "alpaca", mode: "paper", name: "Dev Trading Account" },
      state: "not-started",
      health: { level1: "unknown", level2: "unknown" },
    });
    expect(projects.find((p: { name: string }) => p.name === "alpine-backend")).toMatchObject({
      kind: "service",
      mode: null,
    });
    const env = (await desk.app.inject({ url: "/api/v1/environment" })).json();
    expect(env).toMatchObject({ workspace: "desk", environment: "development", source: "default" });
    const unknown = await desk.app.inject({ url: "/api/v1/projects/argoo" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("TRO_ERR_PROJECT_UNKNOWN");
  });

  it("halts and resumes with the token or basic auth: the kill-switch file records who and why", async () => {
    const halted = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/argo/halt",
      headers: bearer(),
      payload: { reason: "desk check" },
    });
    expect(halted.statusCode, halted.body).toBe(200);
    expect(halted.json()).toMatchObject({
      ok: true,
      project: "argo",
      environment: "development",
      state: "halted",
      by: "console:token",
    });
    const file = JSON.parse(readFileSync(controlFilePath(desk.root, "argo"), "utf8"));
    expect(file).toMatchObject({ state: "halted", reason: "desk check", by: "console:token" });
    const view = (await desk.app.inject({ url: "/api/v1/projects/argo" })).json();
    expect(view.killSwitch).toMatchObject({ state: "halted", reason: "desk check" });
    const resumed = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/argo/resume",
      headers: basicAuth("ops", PASSWORD),
    });
    expect(resumed.json()).toMatchObject({ state: "active", by: "console:ops" });
    const bad = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/argo/halt",
      headers: bearer(),
      payload: { reason: "line\nbreak" },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("starts, restarts and stops a supervised service", async () => {
    const started = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/alpine-backend/start",
      headers: bearer(),
    });
    expect(started.statusCode, started.body).toBe(200);
    expect(["starting", "running"]).toContain(started.json().state);
    const restarted = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/alpine-backend/restart",
      headers: bearer(),
    });
    expect(restarted.statusCode, restarted.body).toBe(200);
    const stopped = await desk.app.inject({
      method: "POST",
      url: "/api/v1/projects/alpine-backend/stop",
      headers: bearer(),
    });
    expect(stopped.json().state).toBe("stopped");
    const noStart = await desk.app.inject({ method: "POST", url: "/api/v1/projects/shared/start", headers: bearer() });
    expect(noStart.statusCode).toBe(400);
  }, 30_000);

  it("queues a backtest with the CLI's runner and serves its report", async () => {
    const bad = await desk.app.inject({
      method: "POST",
      url: "/api/v1/backtests",
      headers: bearer(),
      payload: { project: "argo", from: "2020-01-01", to: "2019-01-01" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe("from 2020-01-01 is not before to 2019-01-01.");
    const service = await desk.app.inject({
      method: "POST",
      url: "/api/v1/backtests",
      headers: bearer(),
      payload: { project: "alpine-backend" },
    });
    expect(service.statusCode).toBe(400);
    const queued = await desk.app.inject({
      method: "POST",
      url: "/api/v1/backtests",
      headers: bearer(),
      payload: { project: "argo", from: "2018-01-01", to: "2020-01-01", initialCash: 25000 },
    });
    expect(queued.statusCode, queued.body).toBe(202);
    const id = queued.json().id as string;
    const deadline = Date.now() + 40_000;
    let job = queued.json();
    while (job.status !== "succeeded" && job.status !== "failed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await desk.app.inject({ url: `/api/v1/backtests/${id}` })).json();
    }
    expect(job.status, job.error).toBe("succeeded");
    expect(job.summary.initialCash).toBe(25000);
    const report = await desk.app.inject({ url: job.reportUrl });
    expect(report.statusCode).toBe(200);
    expect(report.headers["content-type"]).toContain("text/html");
  }, 60_000);
});

describe("beyond loopback", () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await deskConsole({ host: "0.0.0.0", token: TOKEN });
  }, 30_000);
  afterAll(() => desk?.close());

  it("needs credentials for every API route, reads included", async () => {
    for (const op of await operations(desk)) {
      const r = await desk.app.inject({ method: op.method as "GET", url: url(op), payload: BODIES[op.path] });
      expect(r.statusCode, `${op.method} ${op.path}`).toBe(401);
    }
    for (const op of (await operations(desk)).filter((o) => !o.secured && !o.stream)) {
      const r = await desk.app.inject({ method: op.method as "GET", url: url(op), headers: bearer() });
      expect(r.statusCode, `${op.method} ${op.path}`).not.toBe(401);
    }
  });
});

describe("without any credential configured", () => {
  it("refuses every change and says why", async () => {
    const desk = await deskConsole();
    try {
      const r = await desk.app.inject({
        method: "POST",
        url: "/api/v1/projects/argo/halt",
        headers: bearer("anything"),
      });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.message).toBe("changes are disabled: no console token or password hash is configured");
      expect(existsSync(join(desk.root, ".tradeops", "control"))).toBe(false);
    } finally {
      await desk.close();
    }
  }, 30_000);
});
