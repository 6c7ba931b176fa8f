/**
 * What gate 8 reads: every deployed project's shipped files, and every other member of its coupled group — a
 * frontend without a target in this environment still ships with its backend's users, so its added lines count.
 * A static frontend ships built files, so its sources (its directory) are what is read.
 */
import { coupledGroup } from "../changes.js";
import type { GateContext } from "./context.js";

export interface ScanItem {
  readonly project: string;
  /** the commit the diff starts from; undefined for a first deploy */
  readonly base?: string;
  readonly paths: readonly string[];
  /** the paths are the files of the project's artifact (a first deploy reads them there) */
  readonly shipped: boolean;
}

/** The projects gate 8 scans, each with its base and paths. */
export function qualityScope(ctx: GateContext): ScanItem[] {
  const items = new Map<string, ScanItem>();
  const sourcePaths = (name: string) => [ctx.workspace.projects[name]!.path, ...ctx.workspace.shared];
  for (const project of ctx.deployed) {
    const definition = ctx.workspace.projects[project]!;
    const built = definition.kind === "frontend" && !definition.commands.start && definition.outputDir;
    const shipped = built ? undefined : ctx.artifacts.get(project)?.manifest.files.map((f) => f.path);
    items.set(project, {
      project,
      base: ctx.bases[project],
      paths: shipped ?? sourcePaths(project),
      shipped: shipped !== undefined,
    });
  }
  for (const project of ctx.deployed) {
    for (const member of coupledGroup(ctx.workspace, project)) {
      if (items.has(member)) continue;
      items.set(member, {
        project: member,
        base: ctx.bases[project],
        paths: [ctx.workspace.projects[member]!.path],
        shipped: false,
      });
    }
  }
  return [...items.values()];
}
