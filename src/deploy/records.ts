/**
 * What a target remembers, as plain JSON files in its `shared/` directory: the colours and the deploy in progress
 * (`state.json`), the releases kept there (`releases.json`) and the history of every deploy (`history.jsonl`).
 * Read and written through the target's executor, so SSH hosts keep their own records (Capistrano's revisions.log,
 * Kamal's audit log) — here structured, one event per deploy.
 */
import type { TargetLayout } from "./layout.js";
import type { TargetFiles } from "./target-files.js";
import type { Color, DeployRecord, ReleaseRecord } from "./types.js";

/** One colour's running release. */
export interface InstanceRecord {
  readonly release: string;
  readonly port: number;
  readonly startedAt: string;
  readonly orders: boolean;
}

/** The deploy (or rollback) working on the target right now, step by step: what a recovery reads. */
export interface InProgress {
  readonly id: string;
  readonly kind: "deploy" | "rollback";
  readonly release: string;
  readonly color: Color;
  readonly previousActive?: Color;
  readonly previousRelease?: string;
  step: string;
  readonly startedAt: string;
  readonly who: string;
}

export interface TargetState {
  active?: Color;
  colors: Partial<Record<Color, InstanceRecord>>;
  inProgress?: InProgress;
  /** how releases run here (`direct` or `supervisor`): recorded at the first deploy, used by every later one */
  runner?: "direct" | "supervisor";
  /** set by `tradeops target stop` until `target start`: who stopped the target's processes, and when */
  stopped?: { readonly at: string; readonly who: string };
}

export interface TargetRecords {
  readState(): Promise<TargetState>;
  writeState(state: TargetState): Promise<void>;
  readReleases(): Promise<ReleaseRecord[]>;
  writeReleases(releases: readonly ReleaseRecord[]): Promise<void>;
  /** changes one release in place (read, change, write) */
  updateRelease(id: string, change: (r: ReleaseRecord) => void): Promise<void>;
  appendHistory(record: DeployRecord): Promise<void>;
  readHistory(): Promise<DeployRecord[]>;
}

/** The records of one target and project. */
export function targetRecords(files: TargetFiles, layout: TargetLayout): TargetRecords {
  const records: TargetRecords = {
    readState: async () => (await files.readJson<TargetState>(layout.state)) ?? { colors: {} },
    writeState: (state) => files.writeJson(layout.state, state),
    readReleases: async () => (await files.readJson<ReleaseRecord[]>(layout.releases)) ?? [],
    writeReleases: (releases) => files.writeJson(layout.releases, releases),
    updateRelease: async (id, change) => {
      const all = await records.readReleases();
      const found = all.find((r) => r.id === id);
      if (!found) return;
      change(found);
      await records.writeReleases(all);
    },
    appendHistory: (record) => files.append(layout.history, JSON.stringify(record)),
    readHistory: async () => {
      const text = (await files.read(layout.history)) ?? "";
      return text
        .split("\n")
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as DeployRecord];
          } catch {
            return [];
          }
        });
    },
  };
  return records;
}

/** The release to return to: the newest that passed gate 11, other than `except`, still on the target. */
export function lastKnownGood(releases: readonly ReleaseRecord[], except?: string): ReleaseRecord | undefined {
  return [...releases]
    .filter((r) => r.goodAt && r.id !== except && r.status !== "pruned")
    .sort((a, b) => (a.goodAt! < b.goodAt! ? 1 : -1))[0];
}

/** The commit of the newest release that went live on the target: the base of the next deploy's diff. */
export function lastDeployedCommit(releases: readonly ReleaseRecord[]): string | undefined {
  return [...releases].filter((r) => r.goodAt).sort((a, b) => (a.goodAt! < b.goodAt! ? 1 : -1))[0]?.commit;
}
