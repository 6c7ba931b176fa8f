/**
 * A relative sqlite signal store in a release deployed on a target is the target's, in its shared/persist/: every
 * release and rollback of the target appends to one chain (not one per release directory); elsewhere it stays
 * relative to the workspace root.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSignalStore, signalStoreLocation } from "../../src/signals/open.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { RELEASE_MANIFEST, releasePersistRoot } from "../../src/workspace/release.js";
import { DESK } from "../helpers/cli.js";
import { signals } from "./backends.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The desk unpacked as release `id` below a target's base path (with the marker a deploy writes, or without). */
function release(base: string, id: string, marker = true): string {
  const root = join(base, "releases", id);
  mkdirSync(root, { recursive: true });
  cpSync(DESK, root, { recursive: true, filter: (p) => !/[\\/](\.tradeops|data|node_modules)$/.test(p) });
  if (marker) writeFileSync(join(root, RELEASE_MANIFEST), JSON.stringify({ release: id, project: "argo", files: [] }));
  return root;
}

function target(): string {
  const base = mkdtempSync(join(tmpdir(), "tradeops-target-"));
  dirs.push(base);
  return base;
}

describe("a relative sqlite signal store on a deploy target", () => {
  it("resolves to the target's shared/persist/ in every release", () => {
    const base = target();
    const r1 = release(base, "20261201T100000Z-aaaaaaa");
    const r2 = release(base, "20261202T100000Z-bbbbbbb");
    expect(releasePersistRoot(r1)).toBe(join(base, "shared/persist"));
    for (const root of [r1, r2]) {
      expect(signalStoreLocation(loadWorkspace({ cwd: root }), "staging", {})).toEqual({
        backend: "sqlite",
        path: join(base, "shared/persist/data/staging-signals.db"),
        display: "data/staging-signals.db",
      });
    }
  });

  it("stays relative to the workspace root outside a release: a checkout, or a directory without the marker", () => {
    const base = target();
    const unmarked = release(base, "20261201T100000Z-aaaaaaa", false);
    expect(releasePersistRoot(unmarked)).toBeUndefined();
    expect(signalStoreLocation(loadWorkspace({ cwd: unmarked }), "staging", {})).toMatchObject({
      path: join(unmarked, "data/staging-signals.db"),
    });
    const checkout = join(base, "desk");
    cpSync(DESK, checkout, { recursive: true, filter: (p) => !/[\\/](\.tradeops|data|node_modules)$/.test(p) });
    writeFileSync(join(checkout, RELEASE_MANIFEST), "{}");
    expect(releasePersistRoot(checkout)).toBeUndefined();
  });

  it("one chain: what release 1 appended is under release 2's head, and it verifies", async () => {
    const base = target();
    const open = async (root: string) =>
      openSignalStore({ workspace: loadWorkspace({ cwd: root }), environment: "staging", env: {} });
    const first = await open(release(base, "20261201T100000Z-aaaaaaa"));
    await first.append(signals("argo", 3));
    await first.close();
    const second = await open(release(base, "20261202T100000Z-bbbbbbb"));
    await second.append(signals("argo", 2, 3));
    expect((await second.head("argo"))!.seq).toBe(5);
    const report = await second.verify();
    expect(report.ok).toBe(true);
    expect(report.chains[0]).toMatchObject({ records: 5, firstSeq: 1, lastSeq: 5 });
    await second.close();
  });
});
