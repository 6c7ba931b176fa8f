/**
 * `targets.ENV.PROJECT.secrets`: validated like the other target keys; with `host`, this machine never resolves the
 * secrets (gate 7 and the env file), and a runner that cannot resolve them on the host is refused.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureHostRunner, releaseShell } from "../../src/deploy/host-secrets.js";
import { targetLayout } from "../../src/deploy/layout.js";
import { prepareRelease, renderEnvFile } from "../../src/deploy/prepare.js";
import type { TargetSession } from "../../src/deploy/session.js";
import { findTarget } from "../../src/deploy/targets.js";
import { isTroError } from "../../src/errors.js";
import { loadWorkspace } from "../../src/workspace/load.js";
import { cli } from "../helpers/cli.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A workspace whose bot's production key comes from a command that leaves a marker file when it runs. */
function workspace(secrets?: string) {
  const root = mkdtempSync(join(tmpdir(), "tradeops-hostsecrets-"));
  roots.push(root);
  mkdirSync(join(root, "bot"));
  const marker = join(root, "resolved-here");
  writeFileSync(
    join(root, "tradeops.yaml"),
    [
      "name: t",
      "environments:",
      "  detect: { default: production }",
      "  production: { signals: { store: none, required: false } }",
      "projects:",
      "  bot:",
      "    path: bot",
      "    port: 9100",
      "    requiredEnv: { production: [REGION] }",
      "    secrets:",
      `      BROKER_KEY: { production: ['exec:touch ${marker}; echo key-from-here'] }`,
      "targets:",
      "  production:",
      `    bot: { hosts: [root@db1], path: /srv/bot${secrets ? `, secrets: ${secrets}` : ""} }`,
      "",
    ].join("\n"),
  );
  return { root, marker };
}

describe("the manifest's targets.ENV.PROJECT.secrets", () => {
  it("defaults to deployer and accepts host", () => {
    expect(findTarget(loadWorkspace({ cwd: workspace().root }), "production", "bot")?.secrets).toBe("deployer");
    expect(findTarget(loadWorkspace({ cwd: workspace("host").root }), "production", "bot")?.secrets).toBe("host");
  });

  it("refuses another value in one sentence naming the key and the file, exit 78", async () => {
    const { root } = workspace("vault");
    const result = await cli(["projects"], { cwd: root, env: {} });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(
      /tradeops\.yaml:14:\d+ targets\.production\.bot\.secrets: value not allowed \(expected one of "deployer", "host", got "vault"\)/,
    );
  });
});

describe("preparing a release of a secrets: host target", () => {
  it("never resolves its secrets here and writes none to the env file", async () => {
    const { root, marker } = workspace("host");
    const ws = loadWorkspace({ cwd: root });
    const prepared = await prepareRelease(ws, "bot", "production", { REGION: "eu" }, { secrets: "host" });
    expect(existsSync(marker)).toBe(false);
    expect(prepared.hostSecrets).toEqual(["BROKER_KEY"]);
    expect(prepared.run.secretNames).toEqual([]);
    const file = renderEnvFile(prepared.run);
    expect(file).toContain("REGION='eu'");
    expect(file).toContain("TRADEOPS_ENVIRONMENT='production'");
    expect(file).not.toContain("BROKER_KEY");
  });

  it("still checks the required variables here", async () => {
    const ws = loadWorkspace({ cwd: workspace("host").root });
    await expect(prepareRelease(ws, "bot", "production", {}, { secrets: "host" })).rejects.toThrow(/REGION/);
  });

  it("resolves them here (and writes them) for a deployer target", async () => {
    const { root, marker } = workspace();
    const prepared = await prepareRelease(loadWorkspace({ cwd: root }), "bot", "production", { REGION: "eu" });
    expect(existsSync(marker)).toBe(true);
    expect(prepared.hostSecrets).toBeUndefined();
    expect(renderEnvFile(prepared.run)).toContain("BROKER_KEY='key-from-here'");
  });
});

describe("the runner of a secrets: host target", () => {
  const target = () => findTarget(loadWorkspace({ cwd: workspace("host").root }), "production", "bot")!;
  const refusal = (run: () => void) => {
    try {
      run();
    } catch (error) {
      if (!isTroError(error)) throw error;
      return { code: error.code, exit: error.exitCode, message: error.message };
    }
    return undefined;
  };

  it("passes under the supervisor runner, and any runner of a deployer target", () => {
    expect(refusal(() => ensureHostRunner(target(), "root@db1", { kind: "supervisor" }, undefined))).toBeUndefined();
    const deployer = findTarget(loadWorkspace({ cwd: workspace().root }), "production", "bot")!;
    expect(refusal(() => ensureHostRunner(deployer, "root@db1", { kind: "direct" }, "direct"))).toBeUndefined();
  });

  it("refuses the direct runner (77), saying which target, which host and why", () => {
    const explicit = refusal(() => ensureHostRunner(target(), "root@db1", { kind: "direct" }, "direct"));
    expect(explicit).toMatchObject({ code: "TRO_ERR_POLICY_REFUSED", exit: 77 });
    expect(explicit?.message).toMatch(/^targets\.production\.bot resolves its secrets on root@db1 .*--runner direct/);
    const recorded = refusal(() =>
      ensureHostRunner(target(), "root@db1", { kind: "direct", recorded: "direct" }, undefined),
    );
    expect(recorded?.message).toContain("recorded on the target");
    const missing = refusal(() => ensureHostRunner(target(), "root@db1", { kind: "direct" }, undefined));
    expect(missing?.message).toContain("root@db1 has no tradeops on its PATH");
  });
});

describe("a project's shell line on the host (install, migrate, a worker's health command)", () => {
  const session = (secrets?: string) => {
    const ws = loadWorkspace({ cwd: workspace(secrets).root });
    const target = findTarget(ws, "production", "bot")!;
    return { layout: targetLayout(target.path), target, project: ws.projects.bot!, tradeops: ["tradeops"] };
  };
  const env = "/srv/bot/shared/env/r1.env";

  it("runs through the host's tradeops run in the release's workspace with secrets: host", () => {
    const argv = releaseShell(session("host") as unknown as TargetSession, "r1", "npm ci");
    expect(argv.slice(3)).toEqual([
      "sh",
      env,
      ...["tradeops", "--workspace", "/srv/bot/releases/r1", "--env", "production"],
      ...["run", "bot", "--scrub-output", "--"],
      ...["sh", "-c", "npm ci"],
    ]);
    expect(argv[2]).toBe('set -a; . "$1"; set +a; shift; exec "$@"');
  });

  it("runs with the env file alone otherwise", () => {
    const argv = releaseShell(session() as unknown as TargetSession, "r1", "npm ci");
    expect(argv.slice(3)).toEqual(["sh", env, "npm ci"]);
  });
});
