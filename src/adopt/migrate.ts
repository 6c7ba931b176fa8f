/**
 * `tradeops migrate`: a seed-style tree (strategies under a deployable folder, each with a deployment folder of
 * runner, config, systemd unit, deploy script and `.env`) to the dev/test/prod layout — `prod/<strategy>/` with
 * strategy.py, runner.py, config.json, deployment/systemd/, docs/, tests/. Plan first (moves, path edits, the
 * manifest), then apply with `git mv` so that `git log --follow` keeps each file's history.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { TroError } from "../errors.js";
import { MANIFEST_NAMES } from "../workspace/load.js";
import { detectRepository } from "./detect.js";
import { proposeManifest, renderManifest } from "./propose.js";
import { listFiles } from "./scan.js";

export interface Move {
  readonly from: string;
  readonly to: string;
  /** tracked by git: moved with `git mv` (history follows); otherwise renamed (e.g. an ignored `.env`) */
  readonly tracked: boolean;
}

export interface MigrationPlan {
  readonly root: string;
  readonly from: string;
  readonly to: string;
  readonly strategies: readonly string[];
  readonly moves: readonly Move[];
  /** files whose text names moved paths, rewritten after the moves (units, deploy scripts, CI workflows) */
  readonly edits: readonly { readonly file: string; readonly replacements: number }[];
  readonly manifestPath: string;
  readonly manifestText: string;
  readonly manifestExists: boolean;
}

export interface MigrateOptions {
  readonly root: string;
  /** the deployable folder (default: the one folder whose subfolders have a deployment folder) */
  readonly from?: string;
  /** where strategies go (default prod) */
  readonly to?: string;
}

const DEPLOYMENT = /^(aws_deployment|deployment|deploy)$/;

function gitFiles(root: string): Set<string> {
  try {
    const out = execFileSync("git", ["-c", "core.quotepath=off", "ls-files", "-z"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new Set(out.toString().split("\0").filter(Boolean));
  } catch {
    throw new TroError("TRO_ERR_USAGE", `${root} is not a git repository; migrate moves files with git mv.`, {
      hint: "Run it at the repository's root.",
    });
  }
}

/** Where a file of a strategy goes in `<to>/<strategy>/`. */
function destination(rel: string): string {
  const parts = rel.split("/");
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) {
    if (/strategy[^/]*\.py$/.test(name) && name !== "strategy.py") return "strategy.py";
    if (/\.md$/i.test(name) && name !== "README.md") return `docs/${name}`;
    return name;
  }
  if (DEPLOYMENT.test(parts[0]!)) {
    const inner = parts.slice(1).join("/");
    if (parts.length === 2) {
      if (/^(run[^/]*|runner)\.py$/.test(name)) return "runner.py";
      if (/^config\.json(\.example)?$/.test(name) || /^\.env/.test(name)) return name;
      if (name.endsWith(".service") || name.endsWith(".timer")) return `deployment/systemd/${name}`;
    }
    return `deployment/${inner}`;
  }
  return rel;
}

function findDeployable(files: readonly string[]): string | undefined {
  const counts = new Map<string, Set<string>>();
  for (const f of files) {
    const parts = f.split("/");
    if (parts.length >= 4 && DEPLOYMENT.test(parts[2]!)) {
      counts.set(parts[0]!, (counts.get(parts[0]!) ?? new Set()).add(parts[1]!));
    }
  }
  const best = [...counts].sort((a, b) => b[1].size - a[1].size)[0];
  return best && best[1].size > 0 ? best[0] : undefined;
}

/**
 * Plans the migration; changes nothing.
 * @throws TroError TRO_ERR_USAGE outside a git repository, when no deployable folder is found, or a destination exists
 */
export function planMigration(options: MigrateOptions): MigrationPlan {
  const { root } = options;
  const tracked = gitFiles(root);
  const files = listFiles(root);
  const from = (options.from ?? findDeployable(files))?.replace(/\/+$/, "");
  if (!from || !files.some((f) => f.startsWith(`${from}/`))) {
    throw new TroError(
      "TRO_ERR_USAGE",
      `No deployable strategies folder found in ${root}${from ? ` at ${from}` : ""}.`,
      {
        hint: "Pass --from DIR: the folder whose subfolders are strategies with a deployment folder (aws_deployment/).",
      },
    );
  }
  const to = (options.to ?? "prod").replace(/\/+$/, "");
  const strategies = [...new Set(files.filter((f) => f.startsWith(`${from}/`)).map((f) => f.split("/")[1]!))]
    .filter((s) => files.some((f) => f.startsWith(`${from}/${s}/`) && f.split("/").length > 2))
    .sort();
  const moves: Move[] = [];
  for (const s of strategies) {
    for (const f of files.filter((x) => x.startsWith(`${from}/${s}/`))) {
      const target = `${to}/${s}/${destination(f.slice(from.length + s.length + 2))}`;
      if (existsSync(join(root, target)))
        throw new TroError("TRO_ERR_USAGE", `${target} exists already; migrate moves into new paths only.`, {
          hint: "Pass --to with another folder.",
        });
      moves.push({ from: f, to: target, tracked: tracked.has(f) });
    }
  }
  const mapping = [...moves].sort((a, b) => b.from.length - a.from.length);
  const rewrite = (text: string): [string, number] => {
    let n = 0;
    let out = text;
    for (const m of mapping) {
      const parts = out.split(m.from);
      n += parts.length - 1;
      out = parts.join(m.to);
    }
    const parts = out.split(`${from}/`);
    n += parts.length - 1;
    return [parts.join(`${to}/`), n];
  };
  const edits: { file: string; replacements: number }[] = [];
  const candidates = [
    ...moves.filter((m) => /\.(service|timer|sh|ya?ml)$/.test(m.to)).map((m) => m.from),
    ...files.filter((f) => f.startsWith(".github/workflows/")),
  ];
  for (const file of candidates) {
    const [, n] = rewrite(readFileSync(join(root, file), "utf8"));
    if (n) edits.push({ file, replacements: n });
  }

  const existing = MANIFEST_NAMES.map((n) => join(root, n)).find((p) => existsSync(p));
  const manifestPath = existing ?? join(root, "tradeops.yaml");
  const manifestText = existing
    ? movedManifest(readFileSync(existing, "utf8"), from, to, moves)
    : newManifest(root, from, to, moves);
  return { root, from, to, strategies, moves, edits, manifestPath, manifestText, manifestExists: Boolean(existing) };
}

/** Rewrites every string of a project entry that names a moved file, relative to the project. */
function rewriteEntry(entry: unknown, oldPath: string, newPath: string, moves: readonly Move[]): unknown {
  const local = moves
    .filter((m) => m.from.startsWith(`${oldPath}/`))
    .map((m) => [m.from.slice(oldPath.length + 1), m.to.slice(newPath.length + 1)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (v === oldPath) return newPath;
      let out = v;
      for (const [a, b] of local) if (a !== b) out = out.split(a).join(b);
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(entry);
}

function newManifest(root: string, from: string, to: string, moves: readonly Move[]): string {
  const proposal = proposeManifest(detectRepository(root), { root });
  const projects = proposal.manifest.projects as Record<string, { path: string }>;
  for (const [name, entry] of Object.entries(projects)) {
    if (!entry.path.startsWith(`${from}/`)) continue;
    const newPath = `${to}/${entry.path.slice(from.length + 1)}`;
    projects[name] = rewriteEntry(entry, entry.path, newPath, moves) as { path: string };
  }
  return renderManifest(root, proposal.manifest, proposal.toFill);
}

function movedManifest(text: string, from: string, to: string, moves: readonly Move[]): string {
  const doc = parseDocument(text);
  const projects = (doc.toJS() as { projects?: Record<string, { path?: string }> }).projects ?? {};
  for (const [name, entry] of Object.entries(projects)) {
    if (!entry.path?.startsWith(`${from}/`)) continue;
    const newPath = `${to}/${entry.path.slice(from.length + 1)}`;
    doc.setIn(["projects", name], doc.createNode(rewriteEntry(entry, entry.path, newPath, moves)));
  }
  return doc.toString();
}

/**
 * Applies a plan: `git mv` for tracked files (so history follows), a rename for the rest, then the path edits and
 * the manifest. The result is left staged for the user to review and commit.
 * @throws TroError TRO_ERR_USAGE when tracked files to be moved have uncommitted changes
 */
export function applyMigration(plan: MigrationPlan): void {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: plan.root, stdio: ["ignore", "pipe", "pipe"] }).toString();
  const dirty = git("status", "--porcelain", "--", plan.from)
    .split("\n")
    .filter((l) => l && !l.startsWith("??"));
  if (dirty.length) {
    throw new TroError("TRO_ERR_USAGE", `${plan.from} has uncommitted changes; migrate moves committed files only.`, {
      hint: "Commit or stash them first, so that the migration is one reviewable commit.",
    });
  }
  const before = new Map(plan.edits.map((e) => [e.file, readFileSync(join(plan.root, e.file), "utf8")]));
  for (const m of plan.moves) {
    mkdirSync(dirname(join(plan.root, m.to)), { recursive: true });
    if (m.tracked) git("mv", "--", m.from, m.to);
    else renameSync(join(plan.root, m.from), join(plan.root, m.to));
  }
  removeEmptyDirs(join(plan.root, plan.from));
  const where = new Map(plan.moves.map((m) => [m.from, m.to]));
  const ordered = [...plan.moves].sort((a, b) => b.from.length - a.from.length);
  for (const [file, text] of before) {
    let out = text;
    for (const m of ordered) out = out.split(m.from).join(m.to);
    out = out.split(`${plan.from}/`).join(`${plan.to}/`);
    writeFileSync(join(plan.root, where.get(file) ?? file), out);
  }
  writeFileSync(plan.manifestPath, plan.manifestText);
  // stage the edits of tracked files and the manifest, so that `git commit` takes the migration whole
  const trackedNow = new Set(plan.moves.filter((m) => m.tracked).map((m) => m.to));
  const edited = [...before.keys()].filter((f) => trackedNow.has(where.get(f) ?? "") || !where.has(f));
  git("add", "--", ...edited.map((f) => where.get(f) ?? f), basename(plan.manifestPath));
}

/** The folders the moves emptied (never one that still holds a file). */
function removeEmptyDirs(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
  for (const name of readdirSync(dir)) removeEmptyDirs(join(dir, name));
  if (!readdirSync(dir).length) rmdirSync(dir);
}
