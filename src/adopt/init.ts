/** `tradeops init`: plan a manifest for an existing repository (pure reading), then write it when asked. */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TroError } from "../errors.js";
import { MANIFEST_NAMES, validateManifest } from "../workspace/load.js";
import { type DetectedProject, detectRepository } from "./detect.js";
import { type Proposal, proposeManifest } from "./propose.js";

export interface InitOptions {
  readonly root: string;
  /** the workspace's name (default: the directory's name) */
  readonly name?: string;
}

export interface InitPlan {
  readonly root: string;
  readonly manifestPath: string;
  readonly projects: readonly DetectedProject[];
  readonly proposal: Proposal;
}

/**
 * Reads the repository and proposes a manifest; writes nothing.
 * @throws TroError TRO_ERR_USAGE when a manifest exists already or no project is found;
 *   TRO_ERR_INTERNAL when the proposal would not validate (a bug: it must always be a valid manifest)
 */
export function planInit(options: InitOptions): InitPlan {
  const existing = MANIFEST_NAMES.map((n) => join(options.root, n)).find((p) => existsSync(p));
  if (existing) {
    throw new TroError("TRO_ERR_USAGE", `${existing} exists already; init writes a new manifest only.`, {
      hint: "Edit it, or move it away and run `tradeops init` again.",
    });
  }
  const facts = detectRepository(options.root);
  if (!facts.projects.length) {
    throw new TroError("TRO_ERR_USAGE", `No project found in ${options.root}.`, {
      hint: "init looks for package.json, pyproject.toml, requirements.txt, Dockerfile, Procfile, systemd units and config.json; run it at the repository's root.",
    });
  }
  const proposal = proposeManifest(facts, options);
  const manifestPath = join(options.root, "tradeops.yaml");
  const check = validateManifest(proposal.text, manifestPath);
  if (check.errors.length) {
    throw new TroError("TRO_ERR_INTERNAL", "The proposed manifest does not validate.", { problems: check.errors });
  }
  return { root: options.root, manifestPath, projects: facts.projects, proposal };
}

/** Writes the planned manifest (never over an existing one). */
export function applyInit(plan: InitPlan): string {
  writeFileSync(plan.manifestPath, plan.proposal.text, { flag: "wx" });
  return plan.manifestPath;
}
