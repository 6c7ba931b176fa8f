/**
 * A fresh workspace with a backend and its static frontend (coupled), and the scenario the static-frontend deploy
 * tests run on a local and an SSH target: ship together, switch `current` atomically under a reader, roll back
 * together on a failure in the monitoring window, and on `tradeops rollback`.
 */
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { type CliResult, cli } from "./cli.js";
import { freePorts } from "./deploy-desk.js";
import { createShop, type Shop } from "./portless-shop.js";

// serves its health and, under /app/, the frontend's files from the `current` link given as its argument
const SERVER = `import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
const root = process.argv[2];
const server = createServer(async (req, res) => {
  if (req.url === "/health" || req.url === "/health/detailed") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ status: "healthy" }));
  }
  if (req.url.startsWith("/app/")) {
    try {
      const body = await readFile(join(root, req.url.slice(5).replace(/\\.\\./g, "")));
      res.writeHead(200);
      return res.end(body);
    } catch {
      res.writeHead(404);
      return res.end();
    }
  }
  res.writeHead(404);
  res.end();
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

const BUILD = `import { cpSync, mkdirSync, rmSync } from "node:fs";
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
cpSync("src", "dist", { recursive: true });
`;

const site = (version: number) => ({
  "web/src/index.html": `<html data-version="${version}"><script src="app.js"></script></html>\n`,
  "web/src/app.js": `window.version = ${version};\n`,
  ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`web/src/assets/part-${i}.js`, `// ${version}\n`])),
});

export interface StaticShop {
  readonly shop: Shop;
  readonly port: number;
  run(...args: string[]): Promise<CliResult>;
}

/** A backend `api` coupled with a static frontend `web` (a target of its own when asked), both on `host`. */
export async function coupledShop(options: {
  readonly frontendTarget: boolean;
  readonly host?: string;
  /** the ssh client config, for an SSH host */
  readonly sshConfig?: string;
}): Promise<StaticShop> {
  const host = options.host ?? "local";
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  const shop = createShop(
    (targetOf) =>
      [
        "name: web-shop",
        "environments:",
        "  detect: { default: staging }",
        "  staging: { signals: { store: none, required: false } }",
        "projects:",
        "  api:",
        "    path: api",
        "    coupledWith: [web]",
        `    commands: { start: node server.mjs ${join(targetOf("web"), "current")} }`,
        "  web:",
        "    path: web",
        "    kind: frontend",
        "    outputDir: dist",
        "    commands: { build: node build.mjs }",
        "targets:",
        "  staging:",
        `    api: { hosts: [${host}], path: ${targetOf("api")}, port: ${port}, internalPorts: [${blue}, ${green}] }`,
        ...(options.frontendTarget ? [`    web: { hosts: [${host}], path: ${targetOf("web")} }`] : []),
        "policies:",
        "  staging: { healthLevel: 2, monitorSeconds: 1 }",
        "",
      ].join("\n"),
    { "api/server.mjs": SERVER, "web/build.mjs": BUILD, ...site(1) },
  );
  const env = options.sshConfig ? { ...shop.env, TRADEOPS_SSH_CONFIG: options.sshConfig } : shop.env;
  return { shop, port, run: (...args) => cli(args, { cwd: shop.root, env }) };
}

const versionOf = (html: string) => Number(/data-version="(\d+)"/.exec(html)?.[1]);

/** The whole scenario on one kind of host (`local`, or an SSH host with its client config). */
export async function staticScenario(host: string, sshConfig?: string): Promise<void> {
  const { shop, port, run } = await coupledShop({ frontendTarget: true, host, sshConfig });
  onTestFinished(() => shop.cleanup());
  const web = shop.target("web");
  const current = join(web, "current");
  const plan = await run("deploy", "api", "to", "staging", "--dry-run");
  expect(plan.stdout).toContain(`→ ${current} (static files)`);
  expect(plan.stdout).toContain("steps: upload → switch → monitor → finish");

  const first = await run("deploy", "api", "to", "staging", "--json");
  expect(first.code, first.stderr).toBe(0);
  const shipped = JSON.parse(first.stdout).records.map((r: { project: string }) => r.project);
  expect(shipped.sort()).toEqual(["api", "web"]);
  const r1 = readlinkSync(current);
  expect(r1).toMatch(/^releases\/[^/]+\/public$/);
  const health = await run("health", "all", "--env", "staging");
  expect(health.code, health.stderr).toBe(0);
  expect(health.stdout).toMatch(/web {2}healthy {2}1\/1 checks passing/);
  const page = await fetch(`http://127.0.0.1:${port}/app/index.html`);
  expect(versionOf(await page.text())).toBe(1);

  // a reader resolving `current` once per round reads one release's files, whole, while v2 is switched in
  const seen = new Set<number>();
  const problems: string[] = [];
  let reading = true;
  const reader = (async () => {
    while (reading) {
      try {
        const dir = realpathSync(current);
        const html = versionOf(readFileSync(join(dir, "index.html"), "utf8"));
        const js = Number(/version = (\d+)/.exec(readFileSync(join(dir, "app.js"), "utf8"))?.[1]);
        const last = Number(/\/\/ (\d+)/.exec(readFileSync(join(dir, "assets/part-19.js"), "utf8"))?.[1]);
        if (html !== js || js !== last) problems.push(`mixed: ${html}/${js}/${last}`);
        seen.add(html);
      } catch (error) {
        problems.push(String(error));
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  shop.commit("v2", site(2));
  const second = await run("deploy", "api", "to", "staging");
  await new Promise((r) => setTimeout(r, 50));
  reading = false;
  await reader;
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toMatch(/web@\S+ switch \([\d.]+ s\): current → \S+ \(was \S+\)/);
  expect(problems).toEqual([]);
  expect([...seen].sort()).toEqual([1, 2]);
  const r2 = readlinkSync(current);
  expect(r2).not.toBe(r1);
  expect(versionOf(await (await fetch(`http://127.0.0.1:${port}/app/index.html`)).text())).toBe(2);

  // v3: the backend's check fails once the v3 frontend is switched in (during gate 11): both members go back
  const broken = SERVER.replace(
    'if (req.url === "/health" || req.url === "/health/detailed") {',
    `if (req.url === "/health/detailed" && (await readFile(join(root, "index.html"), "utf8")).includes('"3"')) {
res.writeHead(503);
return res.end(JSON.stringify({ status: "unhealthy" }));
  }
  if (req.url === "/health" || req.url === "/health/detailed") {`,
  );
  shop.commit("v3", { ...site(3), "api/server.mjs": broken });
  const third = await run("deploy", "api", "to", "staging");
  expect(third.code).toBe(1);
  expect(third.stderr).toContain("failed and was rolled back");
  expect(third.stdout).toMatch(/web@\S+ rollback .*traffic back on/);
  expect(readlinkSync(current)).toBe(r2);
  expect(versionOf(await (await fetch(`http://127.0.0.1:${port}/app/index.html`)).text())).toBe(2);
  const releases = JSON.parse((await run("releases", "web", "--env", "staging", "--json")).stdout).hosts[0];
  expect(releases.releases[0].status).toBe("failed");

  const text = (await run("releases", "web", "--env", "staging")).stdout;
  expect(text).toContain(`static files: served from ${web}/current`);

  // a manual rollback renames `current` back to the known-good release before, and the backend comes with it
  const back = await run("rollback", "web", "--env", "staging", "--json");
  expect(back.code, back.stderr).toBe(0);
  const rolled = JSON.parse(back.stdout).records as { project: string; release: string; previous: string }[];
  expect(rolled.map((r) => r.project)).toEqual(["web", "api"]);
  const deploys = JSON.parse(first.stdout).records as { project: string; release: string }[];
  for (const r of rolled) expect(r.release).toBe(deploys.find((d) => d.project === r.project)!.release);
  expect(readlinkSync(current)).toBe(r1);
  expect(versionOf(await (await fetch(`http://127.0.0.1:${port}/app/index.html`)).text())).toBe(1);
}
