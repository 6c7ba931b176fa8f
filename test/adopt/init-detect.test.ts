/** What `tradeops init` sees in seed-shaped repositories: workers, static frontends, the shops' conventions. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse, stringify } from "yaml";
import { detectRepository } from "../../src/adopt/detect.js";
import { staticOutputDir } from "../../src/adopt/runtime.js";
import { cli } from "../helpers/cli.js";
import {
  alpineRepo,
  basisRepo,
  expectNoValue,
  magellanRepo,
  manifestText,
  TICKS_SECRETS,
  ticksRepo,
} from "../helpers/seed-repos.js";

describe("tradeops init: how projects run", () => {
  it("a collector without a port is a worker checked by its heartbeat, with data/ and logs/ to persist; it passes config check", async () => {
    const repo = ticksRepo();
    const init = await cli(["init", "--yes"], { cwd: repo.root });
    expect(init.code, init.stderr).toBe(0);
    const m = parse(manifestText(repo.root));
    expect(m.projects.ticks).toMatchObject({
      path: ".",
      kind: "worker",
      commands: { install: "poetry install", test: "python3 -m pytest", start: "python3 src/tick_collector.py" },
      health: { heartbeatFile: "data/heartbeat", heartbeatMaxAgeSeconds: 30 },
      config: { base: "config.json" },
      environmentVariable: { name: "TICKS_ENV", values: { development: "local" } },
    });
    expect(m.projects.ticks.port).toBeUndefined();
    expect(m.environments.detect.variable).toBe("TICKS_ENV");
    expect(init.stdout).not.toContain("projects.ticks.port");
    expect(init.stdout).toContain(
      "found ticks (worker) in .: config.json, pyproject.toml; health: heartbeat data/heartbeat",
    );
    expect(init.stdout).toContain("with persist: [data/, logs/] to keep them across releases");
    expect(manifestText(repo.root)).toContain(
      "#     ticks: { hosts: [user@host], path: /srv/ticks, persist: [data/, logs/] }",
    );

    const before = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(before.code).toBe(78);
    expect(before.stdout).toContain("run chmod 600 .env");
    chmodSync(join(repo.root, ".env"), 0o600);
    const after = await cli(["config", "check", "--all-envs"], { cwd: repo.root });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    const secrets = await cli(["secrets", "check", "ticks", "--env", "development", "--json"], {
      cwd: repo.root,
      env: { FEED_WS_TOKEN: "feed-token-from-the-shell" },
    });
    expect(secrets.code, secrets.stdout + secrets.stderr).toBe(0);
    expectNoValue(secrets.stdout + secrets.stderr, [...Object.values(TICKS_SECRETS), "feed-token-from-the-shell"]);
  });

  it("a loop without a port or a heartbeat is a worker judged by liveness", () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-loop-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, "requirements.txt"), "requests==2.32.0\n");
    writeFileSync(join(root, "poller.py"), "import time\n\nwhile True:\n    time.sleep(60)\n");
    const [p] = detectRepository(root).projects;
    expect(p).toMatchObject({ kind: "worker", commands: { start: "python3 poller.py" } });
    expect(p!.heartbeat).toBeUndefined();
  });

  it("static frontends: Vite writes dist/, a Next export out/; their dev servers are no start command", async () => {
    const alpine = alpineRepo();
    const init = await cli(["init", "--yes"], { cwd: alpine.root });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(
      "found alpine-frontend (frontend) in alpine-frontend: alpine-frontend/package.json; static files from out/",
    );
    const m = parse(manifestText(alpine.root));
    expect(m.projects["alpine-frontend"]).toMatchObject({
      kind: "frontend",
      outputDir: "out",
      coupledWith: ["alpine-backend"],
    });
    expect(m.projects["alpine-frontend"].commands).toEqual({
      install: "npm install",
      lint: "npm run lint",
      build: "npm run build",
    });
    expect(m.projects["alpine-backend"]).toMatchObject({
      kind: "service",
      port: 9001,
      commands: { start: "npm run start" },
    });
    const check = await cli(["config", "check", "--all-envs"], { cwd: alpine.root });
    expect(check.code, check.stdout + check.stderr).toBe(0);

    const basis = basisRepo();
    expect((await cli(["init", "--yes"], { cwd: basis.root })).code).toBe(0);
    const frontend = parse(manifestText(basis.root)).projects.frontend;
    expect(frontend.outputDir).toBe("dist");
    expect(frontend.commands.start).toBeUndefined();
  });

  it("reads the output directory from the build script, the bundler's config, or the toolchain's default", () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-static-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, "web"));
    writeFileSync(join(root, "web/vite.config.ts"), "export default { build: { outDir: 'public-build' } };\n");
    const vite = { scripts: { build: "vite build" }, devDependencies: { vite: "^5" } };
    expect(staticOutputDir(root, "web", ["vite.config.ts"], vite)).toBe("public-build");
    expect(staticOutputDir(root, "web", [], { scripts: { build: "vite build --outDir ./site/" } })).toBe("site");
    expect(staticOutputDir(root, "web", [], { scripts: { build: "react-scripts build" } })).toBe("build");
    // a Next app that is not exported needs its own server: not a static frontend
    expect(staticOutputDir(root, "web", [], { scripts: { build: "next build" }, dependencies: { next: "^14" } })).toBe(
      undefined,
    );
    expect(staticOutputDir(root, "web", [], { scripts: { dev: "vite" } })).toBe(undefined);
    writeFileSync(
      join(root, "web/webpack.config.js"),
      "module.exports = { output: { path: path.resolve(__dirname, 'bundle') } };\n",
    );
    expect(
      staticOutputDir(root, "web", ["webpack.config.js"], { scripts: { build: "webpack --mode production" } }),
    ).toBe("bundle");
  });

  it("a frontend whose output it cannot tell is listed to fill, not guessed", async () => {
    const root = mkdtempSync(join(tmpdir(), "tradeops-rollup-"));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const pkg = { name: "web", scripts: { build: "rollup -c" }, dependencies: { react: "^18" } };
    writeFileSync(join(root, "package.json"), JSON.stringify(pkg));
    const init = await cli(["init", "--yes", "--json"], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    const out = JSON.parse(init.stdout);
    const name = out.projects[0].name;
    expect(out.projects[0].kind).toBe("frontend");
    expect(out.toFill).toContain(
      `projects.${name}.outputDir: the directory its build writes (served as static files), or commands.start if it runs its own server`,
    );
    expect(parse(out.text).projects[name].outputDir).toBeUndefined();
  });
});

describe("tradeops init: the shop's conventions", () => {
  it("exports the environment and the log level under the shop's own variables and spellings", async () => {
    const repo = basisRepo();
    expect((await cli(["init", "--yes"], { cwd: repo.root })).code).toBe(0);
    const backend = parse(manifestText(repo.root)).projects.backend;
    expect(backend.environmentVariable).toEqual({
      name: "BASIS_ENVIRONMENT",
      values: { development: "dev", staging: "staging", production: "prod" },
    });
    expect(backend.logLevelVariable).toEqual({ name: "BASIS_LOG_LEVEL", values: { debug: "DEBUG", info: "INFO" } });
    const run = await cli(
      ["run", "backend", "--", "sh", "-c", 'echo "$BASIS_ENVIRONMENT $BASIS_LOG_LEVEL" > seen.txt'],
      {
        cwd: repo.root,
        env: { PATH: process.env.PATH },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    // the child's output is its own; it leaves what it saw in a file
    expect(readFileSync(join(repo.root, "backend/seen.txt"), "utf8").trim()).toBe("dev DEBUG");
  });

  it("a switch like USE_ARCHIVED_DATA is exported under its name once an overlay per environment sets it", async () => {
    const repo = magellanRepo();
    const init = await cli(["init", "--yes"], { cwd: repo.root });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(
      "USE_ARCHIVED_DATA (deployable_strategies/bear_trap/aws_deployment/run_strategy.py:5) is a switch read from the environment",
    );
    const m = parse(manifestText(repo.root));
    expect(manifestText(repo.root)).toContain(
      "#     bear_trap: { hosts: [user@host], path: /home/ssm-user/magellan/bear_trap }",
    );
    expect(m.projects.bear_trap.config).toEqual({
      base: "aws_deployment/config.json",
      export: { names: { use_archived_data: "USE_ARCHIVED_DATA" } },
    });
    // what the line asks: one overlay per environment
    const dir = join(repo.root, "deployable_strategies/bear_trap");
    for (const [env, value] of [
      ["development", "true"],
      ["production", "false"],
    ]) {
      writeFileSync(join(dir, `aws_deployment/config.${env}.json`), `{ "use_archived_data": ${value} }\n`);
    }
    m.projects.bear_trap.config.environments = {
      development: "aws_deployment/config.development.json",
      production: "aws_deployment/config.production.json",
    };
    writeFileSync(join(repo.root, "tradeops.yaml"), stringify(m));
    chmodSync(join(dir, "aws_deployment/.env"), 0o600);
    const run = await cli(["run", "bear_trap", "--", "sh", "-c", 'echo "$USE_ARCHIVED_DATA" > seen.txt'], {
      cwd: repo.root,
      env: { PATH: process.env.PATH },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "seen.txt"), "utf8").trim()).toBe("true");
  });
});
