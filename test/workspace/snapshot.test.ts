/** Validated-manifest snapshots: used while the manifest and the paths the rules looked at are unchanged, never after. */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadWorkspace } from "../../src/workspace/load.js";
import { useManifestSnapshots } from "../../src/workspace/snapshot.js";
import { copyWorkspace } from "../helpers/cli.js";

let cache: string;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), "tradeops-snapshots-"));
  useManifestSnapshots({ dir: cache, build: "test-build" });
});
afterEach(() => {
  useManifestSnapshots(undefined);
  rmSync(cache, { recursive: true, force: true });
});

const kept = () => readdirSync(cache).map((f) => join(cache, f));
/** Rewrites the kept snapshot's workspace name: a load that returns it did not parse the manifest. */
const markSnapshot = (name: string) => {
  const [file] = kept();
  const snapshot = JSON.parse(readFileSync(file!, "utf8"));
  snapshot.workspace.name = name;
  writeFileSync(file!, JSON.stringify(snapshot));
};

describe("manifest snapshots", () => {
  it("loads an unchanged manifest from its snapshot, with positions still found in the YAML", () => {
    const ws = copyWorkspace();
    const fresh = loadWorkspace({ workspace: ws });
    expect(kept()).toHaveLength(1);
    markSnapshot("from-the-snapshot");
    const again = loadWorkspace({ workspace: ws });
    expect(again.name).toBe("from-the-snapshot");
    const { locate: _a, ...rest } = again;
    const { locate: _b, ...expected } = fresh;
    expect({ ...rest, name: fresh.name }).toEqual(expected);
    expect(again.locate(["projects", "argo"])).toEqual(fresh.locate(["projects", "argo"]));
    expect(again.locate(["projects", "argo"])?.line).toBeGreaterThan(1);
  });

  it("validates again when the manifest changes, even within the same second and size", () => {
    const ws = copyWorkspace();
    loadWorkspace({ workspace: ws });
    markSnapshot("stale");
    const manifest = join(ws, "tradeops.yaml");
    const text = readFileSync(manifest, "utf8");
    writeFileSync(manifest, text.replace(/^name: (\S)/m, "name: x"));
    const stamp = new Date();
    utimesSync(manifest, stamp, stamp);
    expect(loadWorkspace({ workspace: ws }).name).toMatch(/^x/);
  });

  it("validates again when a path the rules checked changes: a project directory removed is reported", () => {
    const ws = copyWorkspace();
    const first = loadWorkspace({ workspace: ws });
    markSnapshot("stale");
    renameSync(first.projects.argo!.dir, `${first.projects.argo!.dir}-moved`);
    expect(() => loadWorkspace({ workspace: ws })).toThrow(
      expect.objectContaining({ code: "TRO_ERR_MANIFEST_INVALID", exitCode: 78 }),
    );
  });

  it("ignores a snapshot of another build, and keeps none of an invalid manifest", () => {
    const ws = copyWorkspace();
    loadWorkspace({ workspace: ws });
    markSnapshot("other build");
    useManifestSnapshots({ dir: cache, build: "next-build" });
    expect(loadWorkspace({ workspace: ws }).name).not.toBe("other build");
    rmSync(cache, { recursive: true, force: true });
    writeFileSync(join(ws, "tradeops.yaml"), "name: broken\nprojects: 3\n");
    expect(() => loadWorkspace({ workspace: ws })).toThrow(
      expect.objectContaining({ code: "TRO_ERR_MANIFEST_INVALID" }),
    );
    expect(() => readdirSync(cache)).toThrow();
  });
});
