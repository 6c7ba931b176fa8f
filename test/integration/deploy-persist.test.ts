/**
 * Persistent paths on a local and an SSH target: `persist: [data/, reports/, trades.db]` live in shared/persist/, are seeded on the first
 * deploy from the release's copy, linked into every release, and keep their rows across releases and a rollback.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { createDeployDesk, type DeployDesk, killTargetProcesses } from "../helpers/deploy-desk.js";
import { type Sshd, startSshd } from "../helpers/sshd.js";

let desk: DeployDesk;
let sshd: Sshd | undefined;
let target = "";
beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});
afterEach(async () => {
  if (target) killTargetProcesses(target);
  await desk?.cleanup();
});

async function persistentDesk(host: "local" | "ssh") {
  desk = await createDeployDesk();
  desk.commit("a seed for a persistent directory", { "alpine-backend/reports/README": "reports live here\n" });
  desk.editManifest("internalPorts: [", "persist: [data/, reports/, trades.db], internalPorts: [");
  target = desk.target;
  if (host === "ssh") {
    target = join(desk.root, "remote-host/srv/alpine-staging");
    desk.editManifest(
      "alpine-backend: { hosts: [local], path: .tradeops/targets/staging/alpine-backend,",
      `alpine-backend: { hosts: [${sshd!.host}], path: ${target},`,
    );
    desk.env.TRADEOPS_SSH_CONFIG = sshd!.clientConfig;
  }
}

const run = (...args: string[]) => cli(args, { cwd: desk.root, env: desk.env });
const releases = async () =>
  JSON.parse((await run("releases", "alpine-backend", "--env", "staging", "--json")).stdout).hosts[0];

describe("persistent paths", () => {
  it.each(["local", "ssh"] as const)(
    "outlive releases and rollbacks on a %s target, and releases shows them",
    async (host) => {
      await persistentDesk(host);
      const first = await run("deploy", "alpine-backend", "to", "staging");
      expect(first.code, first.stderr).toBe(0);
      const store = join(target, "shared/persist");
      const r1 = (await releases()).releases[0].id as string;
      const linked = join(target, "releases", r1, "alpine-backend/data");
      expect(lstatSync(linked).isSymbolicLink()).toBe(true);
      expect(readlinkSync(linked)).toBe(join(store, "data"));
      // seeded from the artifact's copy; what the artifact lacks is created empty (data/ is never committed)
      expect(readFileSync(join(store, "reports/README"), "utf8")).toBe("reports live here\n");
      expect(lstatSync(join(store, "data")).isDirectory()).toBe(true);
      expect(readFileSync(join(store, "trades.db"), "utf8")).toBe("");
      // what the running release writes lands in the shared area
      writeFileSync(join(linked, "ticks.sqlite"), "row 1\n");
      writeFileSync(join(target, "releases", r1, "alpine-backend/trades.db"), "trade 1\n");

      desk.commit("v2", { "alpine-backend/reports/README": "a new seed, never copied over kept data\n" });
      const second = await run("deploy", "alpine-backend", "to", "staging");
      expect(second.code, second.stderr).toBe(0);
      const listing = await releases();
      const r2 = listing.releases[0].id as string;
      expect(r2).not.toBe(r1);
      expect(readFileSync(join(target, "releases", r2, "alpine-backend/data/ticks.sqlite"), "utf8")).toBe("row 1\n");
      expect(readFileSync(join(target, "releases", r2, "alpine-backend/trades.db"), "utf8")).toBe("trade 1\n");
      expect(readFileSync(join(store, "reports/README"), "utf8")).toBe("reports live here\n");
      expect(listing.persist).toEqual([
        { path: "data/", location: join(store, "data") },
        { path: "reports/", location: join(store, "reports") },
        { path: "trades.db", location: join(store, "trades.db") },
      ]);
      const text = (await run("releases", "alpine-backend", "staging")).stdout;
      expect(text).toContain(`persistent data/ → ${join(store, "data")} (linked into every release)`);

      const back = await run("rollback", "alpine-backend", "--env", "staging", "--to", r1);
      expect(back.code, back.stderr).toBe(0);
      expect(readFileSync(join(linked, "ticks.sqlite"), "utf8")).toBe("row 1\n");
      expect(existsSync(join(store, "data/ticks.sqlite"))).toBe(true);
    },
    180_000,
  );
});
