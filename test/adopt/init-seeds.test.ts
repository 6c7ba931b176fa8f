/** Every seed-shaped repository: the manifest init writes passes the checks once secret values are filled, and no value leaks. */
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli } from "../helpers/cli.js";
import {
  ALPINE_LOCAL_JWT,
  ARGO_DATABASE_URL,
  ARGO_DEV_KEY,
  alpineRepo,
  argoRepo,
  BASIS_SECRETS,
  basisRepo,
  magellanRepo,
  type SeedRepo,
  TICKS_SECRETS,
  ticksRepo,
  withUrlPasswords,
} from "../helpers/seed-repos.js";

const REPOS: [string, () => SeedRepo][] = [
  ["basis", basisRepo],
  ["argo", argoRepo],
  ["magellan", magellanRepo],
  ["ticks", ticksRepo],
  ["alpine", alpineRepo],
];

/** Every value the repositories hold in their `.env` and config files, and the password of each URL on its own. */
const VALUES = withUrlPasswords([
  ...Object.values(BASIS_SECRETS),
  "dev-exchange-key",
  ARGO_DEV_KEY,
  "dev-secret-value-not-real-0000",
  ARGO_DATABASE_URL,
  ...Object.values(TICKS_SECRETS),
  "local-secret",
  ALPINE_LOCAL_JWT,
]);

describe("tradeops init on each seed-shaped repository", () => {
  it.each(REPOS)("%s: config check and secrets check pass with only secret values filled", async (_name, make) => {
    const repo = make();
    const init = await cli(["init", "--yes"], { cwd: repo.root });
    expect(init.code, init.stderr).toBe(0);
    const text = readFileSync(join(repo.root, "tradeops.yaml"), "utf8");
    const manifest = parse(text);

    // the shop's own files that hold secrets must be private: what config check asks, and nothing else
    const first = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    for (const m of first.stdout.matchAll(/run chmod 600 (\S+)/g)) chmodSync(join(repo.root, m[1]!), 0o600);
    const check = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(check.code, check.stdout + check.stderr).toBe(0);

    // every secret the proposal names, filled in the environment: the development chains resolve
    const filled: Record<string, string> = {};
    for (const project of Object.values(manifest.projects) as { secrets?: Record<string, unknown> }[])
      for (const name of Object.keys(project.secrets ?? {})) filled[name] = `filled-${name.toLowerCase()}-0001`;
    const secrets = await cli(["secrets", "check", "--all", "--env", "development", "--json"], {
      cwd: repo.root,
      env: filled,
    });
    expect(secrets.code, secrets.stdout + secrets.stderr).toBe(0);

    const everything = [init, first, check, secrets].map((r) => r.stdout + r.stderr).join("\n") + text;
    for (const v of [...VALUES, ...Object.values(filled)]) expect(everything).not.toContain(v);
  });
});
