/** The start timeline: phases timed on an injected clock, sync and async, also when they fail. */
import { describe, expect, it } from "vitest";
import { createStartTimeline, formatTimeline } from "../../src/node/start-timeline.js";

function clock() {
  let t = 100;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("start timeline", () => {
  it("times sync and async phases and says when each ended", async () => {
    const c = clock();
    const timeline = createStartTimeline(c.now);
    timeline.record("boot", 100, 100);
    const manifest = timeline.time("manifest", () => {
      c.advance(2.04);
      return "ws";
    });
    expect(manifest).toBe("ws");
    const value = await timeline.time("config", async () => {
      c.advance(30);
      await Promise.resolve();
      return 7;
    });
    expect(value).toBe(7);
    expect(timeline.phases).toEqual([
      { phase: "boot", ms: 100, at: 100 },
      { phase: "manifest", ms: 2, at: 102 },
      { phase: "config", ms: 30, at: 132 },
    ]);
    expect(timeline.toRecord()).toEqual({ phases: { boot: 100, manifest: 2, config: 30 } });
  });

  it("records a phase that throws or rejects, and passes the error on", async () => {
    const c = clock();
    const timeline = createStartTimeline(c.now);
    expect(() =>
      timeline.time("strategy", () => {
        c.advance(5);
        throw new Error("bad strategy");
      }),
    ).toThrow("bad strategy");
    await expect(
      timeline.time("store", async () => {
        c.advance(8);
        throw new Error("store away");
      }),
    ).rejects.toThrow("store away");
    expect(timeline.toRecord().phases).toEqual({ strategy: 5, store: 8 });
  });

  it("reports when the port was bound and trading could start, and prints phases in the order they ended", () => {
    const c = clock();
    const timeline = createStartTimeline(c.now);
    timeline.record("boot", 40, 40);
    timeline.record("listen", 1.5, 30);
    timeline.record("ready", 12, 400);
    expect(timeline.toRecord()).toMatchObject({ listeningAtMs: 30, readyAtMs: 400 });
    const lines = formatTimeline(timeline.phases);
    expect(lines[0]).toMatch(/^start phase +ms +ended at/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["listen", "boot", "ready"]);
    expect(lines[3]).toMatch(/^ready +12\.0 +400\.0$/);
  });
});
