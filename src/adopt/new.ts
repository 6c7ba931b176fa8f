/**
 * `tradeops new strategy|service NAME`: a project in the dev/test/prod layout (code, config per environment with
 * its schema, tests on cached data), added to tradeops.yaml with a local staging target. Plan, then apply.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseDocument } from "yaml";
import { TroError } from "../errors.js";
import type { Workspace } from "../workspace/types.js";
import { prefix, serviceFiles } from "./templates/service.js";
import { pythonStrategyFiles } from "./templates/strategy-python.js";
import { typescriptStrategyFiles } from "./templates/strategy-ts.js";

export type NewKind = "strategy" | "service";

export interface NewProjectOptions {
  readonly workspace: Workspace;
  readonly kind: NewKind;
  readonly name: string;
  /** `ts` (default) or `python` (strategies only) */
  readonly lang?: string;
  /** the project's directory, relative to the workspace root (default strategies/NAME or services/NAME) */
  readonly dir?: string;
  readonly port?: number;
  /** the public port of its local staging target (default port + 100) */
  readonly stagingPort?: number;
}

export interface NewProjectPlan {
  readonly name: string;
  readonly path: string;
  /** relative to the workspace root → content */
  readonly files: Readonly<Record<string, string>>;
  readonly entry: Record<string, unknown>;
  readonly stagingTarget?: Record<string, unknown>;
  readonly manifestText: string;
  /** the commands that work on it at once, to say what to do next */
  readonly next: readonly string[];
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** What a new project keeps out of its releases (gitignore syntax, relative to the project). */
const DEPLOYIGNORE = "# kept out of releases: tests run at deploy gate 3 from the checkout\ntests/\n__pycache__/\n";

/**
 * Plans the files and the manifest change; writes nothing.
 * @throws TroError TRO_ERR_USAGE for a bad name or language, or a project or directory that exists
 */
export function planNewProject(o: NewProjectOptions): NewProjectPlan {
  const { workspace, name, kind } = o;
  const lang = o.lang ?? "ts";
  if (!NAME.test(name))
    throw new TroError("TRO_ERR_USAGE", `"${name}" is not a project name: use lower-case letters, digits, ., _ and -.`);
  if (!["ts", "typescript", "python"].includes(lang) || (kind === "service" && lang === "python"))
    throw new TroError(
      "TRO_ERR_USAGE",
      `--lang ${lang} is not offered for a ${kind}: use ts${kind === "strategy" ? " or python" : ""}.`,
    );
  if (workspace.projects[name])
    throw new TroError("TRO_ERR_USAGE", `Project ${name} exists already in ${workspace.manifestPath}.`, {
      hint: "Choose another name.",
    });
  const path = (o.dir ?? `${kind === "strategy" ? "strategies" : "services"}/${name}`).replace(/\/+$/, "");
  if (existsSync(join(workspace.root, path)))
    throw new TroError("TRO_ERR_USAGE", `${path} exists already; new writes into a new directory only.`, {
      hint: "Pass --dir with another directory.",
    });
  const environments = workspace.environments;
  const python = lang === "python";
  const own =
    kind === "service"
      ? serviceFiles({ name, environments })
      : python
        ? pythonStrategyFiles({ name, environments })
        : typescriptStrategyFiles({ name, environments });
  const port = o.port ?? nextPort(workspace);
  const commands =
    kind === "service"
      ? { test: "node --test tests/", start: "node src/server.mjs" }
      : python
        ? { test: "python3 -m unittest discover -s tests", start: `tradeops run ${name} -- python3 main.py` }
        : { test: "node --test tests/", start: `tradeops serve ${name}` };
  const entry: Record<string, unknown> = {
    path,
    kind,
    ...(kind === "strategy" && python ? { sendsOrders: false } : {}),
    port,
    commands,
    config: {
      schema: "config.schema.json",
      base: "config/base.yaml",
      environments: Object.fromEntries(environments.map((e) => [e, `config/${e}.yaml`])),
      envPrefix: prefix(name),
    },
  };
  const stagingTarget = environments.includes("staging")
    ? { hosts: ["local"], path: `.tradeops/targets/staging/${name}`, port: o.stagingPort ?? port + 100 }
    : undefined;
  const doc = parseDocument(readFileSync(workspace.manifestPath, "utf8"));
  doc.setIn(["projects", name], doc.createNode(entry));
  if (stagingTarget) {
    const node = doc.createNode(stagingTarget, { flow: true });
    doc.setIn(["targets", "staging", name], node);
  }
  // the policy's excludeTests refuses an artifact holding tests (gate 3 runs them from the checkout): without this
  // file the first deploy of a new project in a workspace with no .deployignore of its own is refused
  const withIgnore = { ...own, ".deployignore": DEPLOYIGNORE };
  const files = Object.fromEntries(Object.entries(withIgnore).map(([f, text]) => [`${path}/${f}`, text]));
  // a Python strategy is no defineStrategy module: backtest and serve cannot load it, `tradeops run` runs it
  const next = [
    ...(kind === "service"
      ? [`tradeops up ${name}`, `tradeops health ${name} --level 3`]
      : python
        ? [`tradeops run ${name} -- python3 main.py`, `tradeops health ${name}`]
        : [`tradeops backtest ${name}`, `tradeops serve ${name}`]),
    ...(stagingTarget ? [`tradeops deploy ${name} to staging`] : []),
  ];
  return {
    name,
    path,
    files,
    entry,
    ...(stagingTarget ? { stagingTarget } : {}),
    manifestText: doc.toString(),
    next,
  };
}

/** Writes the planned files and the changed manifest. */
export function applyNewProject(workspace: Workspace, plan: NewProjectPlan): void {
  for (const [file, text] of Object.entries(plan.files)) {
    const path = join(workspace.root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: "wx" });
  }
  writeFileSync(workspace.manifestPath, plan.manifestText);
}

/** The first multiple of ten above every port the manifest uses (projects and targets with their colours). */
function nextPort(workspace: Workspace): number {
  const used = new Set<number>();
  for (const p of Object.values(workspace.projects)) if (p.port) used.add(p.port);
  for (const targets of Object.values(workspace.targets))
    for (const t of Object.values(targets ?? {})) {
      for (const x of t.port ? [t.port, t.port + 1, t.port + 2] : []) used.add(x);
      for (const x of t.internalPorts ?? []) used.add(x);
    }
  let port = 8300;
  while ([port, port + 100, port + 101, port + 102].some((x) => used.has(x))) port += 10;
  return port;
}
