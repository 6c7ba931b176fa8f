/** The recovery's decision (decideRecovery) and its projection on a copy of a host (projectRecovery): pure. */
import { describe, expect, it } from "vitest";
import type { InProgress, TargetState } from "../../src/deploy/records.js";
import { decideRecovery, type HostPicture, projectRecovery } from "../../src/deploy/recover-decision.js";
import { DIED } from "../helpers/left-in-progress.js";
import { releaseRecord } from "../helpers/recording-target.js";

const target = { internalPorts: [8202, 8203] as const };
const died: InProgress = { ...DIED, startedAt: "", who: "t" };

describe("decideRecovery", () => {
  it("a release that took traffic returns it to the one it replaced; on a first deploy it keeps serving", () => {
    const route = { color: "green" as const, release: "R2" };
    expect(decideRecovery({ target, inProgress: died, route })).toMatchObject({
      back: { from: { color: "green", release: "R2", port: 8203 }, to: { color: "blue", release: "R1", port: 8202 } },
      outcome: "rolled-back",
      note: "R2 took traffic but never passed gate 11; returned to R1",
    });
    const first = { ...died, previousActive: undefined, previousRelease: undefined };
    const kept = decideRecovery({ target, inProgress: first, route });
    expect(kept).toMatchObject({ active: "green", outcome: "interrupted" });
    expect(kept.back).toBeUndefined();
    expect(kept.stop).toBeUndefined();
  });

  it("a release that never took traffic (or was returned by the proxy) is stopped", () => {
    const old = { color: "blue" as const, release: "R1" };
    expect(decideRecovery({ target, inProgress: died, route: old })).toMatchObject({
      stop: "green",
      active: "blue",
      note: "R2 never took traffic (R1 kept serving); stopped",
    });
    expect(
      decideRecovery({ target, inProgress: died, route: old, lastRevert: "switch to R2 expired at 10:00" }).note,
    ).toBe(
      "R2 took traffic, and the front proxy returned it to R1 when the deploy stopped renewing its switch; stopped",
    );
    const none = decideRecovery({ target, inProgress: died, route: null });
    expect(none).toMatchObject({ stop: "green", note: "R2 never took traffic (nothing served); stopped" });
    expect(none.active).toBeUndefined();
  });
});

describe("projectRecovery", () => {
  const state = (): TargetState => ({
    active: "green",
    colors: { green: { release: "R2", port: 0, startedAt: "", orders: true } },
    inProgress: died,
  });
  const picture = (): HostPicture => ({
    state: state(),
    releases: [releaseRecord("R1", "w", 1, "inactive"), releaseRecord("R2", "w", 2, "started")],
    running: { green: { release: "R2", port: 0, startedAt: "" } },
    route: null,
    holder: "R2",
  });
  const route = { color: "green" as const, release: "R2" };

  it("a portless order sender starts the replaced release again (cold), takes the lease, and leaves the copy alone", () => {
    const before = picture();
    const worker = { internalPorts: [0, 0] as const, style: "worker" as const };
    const decision = decideRecovery({ target: worker, inProgress: died, route });
    const p = projectRecovery(decision, before, worker, true);
    expect(p.returned).toEqual({ warm: false, slot: { color: "blue", release: "R1", port: 0 } });
    expect(p.after.running).toEqual({ blue: { release: "R1", port: 0, startedAt: "" } });
    expect(p.after.holder).toBe("R1");
    expect(p.leaseTo).toBeUndefined();
    expect(p.after.state).toEqual({
      active: "blue",
      colors: { blue: { release: "R1", port: 0, startedAt: "", orders: false } },
      inProgress: undefined,
    });
    expect(p.after.releases.map((r) => `${r.id}:${r.status}`)).toEqual(["R1:inactive", "R2:failed"]);
    expect(before).toEqual(picture());
  });

  it("static files switch back without starting anything; a stop hands the lease to what serves", () => {
    const site = { internalPorts: [0, 0] as const, style: "static" as const };
    const decision = decideRecovery({ target: site, inProgress: died, route });
    const files = projectRecovery(decision, picture(), site, false);
    expect(files.returned).toEqual({ warm: true, slot: { color: "blue", release: "R1", port: 0 } });
    expect(files.after.running).toEqual(picture().running);
    expect(files.after.state.active).toBe("blue");
    const stopped = projectRecovery(
      decideRecovery({ target, inProgress: died, route: { color: "blue", release: "R1" } }),
      { ...picture(), running: { ...picture().running, blue: { release: "R1", port: 8202, startedAt: "" } } },
      target,
      true,
    );
    expect(stopped.after.running).toEqual({ blue: { release: "R1", port: 8202, startedAt: "" } });
    expect(stopped.leaseTo).toBe("R1");
    expect(stopped.after.state.active).toBe("blue");
  });
});
