/**
 * A static frontend coupled with its backend, in a fresh workspace: the frontend's build output ships as a release
 * directory and `current` is renamed onto it; the backend serves `current` as the docs say. Both ship together, a
 * reader never sees a mix of two releases, a failure of either member rolls both back, and gate 8 reads the
 * frontend's sources even when it has no target of its own.
 */
import { readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { freePorts } from "../helpers/deploy-desk.js";
import { createShop, type Shop } from "../helpers/portless-shop.js";
import { type Sshd, startSshd } from "../helpers/sshd.js";

let shop: Shop | undefined;
let sshd: Sshd | undefined;
let env: Record<string, string> = {};
beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
});
afterEach(() => {
  shop?.cleanup();
  shop = undefined;
});

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

async function coupledShop(options: { frontendTarget: boolean; host?: string }): Promise<{ port: number }> {
  const host = options.host ?? "local";
  const [port, blue, green] = (await freePorts(3)) as [number, number, number];
  shop = createShop(
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
  env = host === "local" ? shop.env : { ...shop.env, TRADEOPS_SSH_CONFIG: sshd!.clientConfig };
  return { port };
}

const run = (...args: string[]) => cli(args, { cwd: shop!.root, env });
const versionOf = (html: string) => Number(/data-version="(\d+)"/.exec(html)?.[1]);

describe("static frontends", () => {
  it.each(["local", "ssh"] as const)(
    "ship with their backend to a %s target, switch atomically, and roll back with it",
    async (where) => {
      const { port } = await coupledShop({ frontendTarget: true, host: where === "local" ? "local" : sshd!.host });
      const web = shop!.target("web");
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
      shop!.commit("v2", site(2));
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
      shop!.commit("v3", { ...site(3), "api/server.mjs": broken });
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
    },
    90_000,
  );

  it("gate 8 reads every member of a coupled group, even a frontend without a target", async () => {
    await coupledShop({ frontendTarget: false });
    shop!.commit("debug output in the frontend", { "web/src/app.js": "console.log('debug');\n" });
    const gates = await run("gates", "api", "--to", "staging", "--since", "HEAD~1");
    expect(gates.stdout + gates.stderr).toMatch(/gate +8 code quality: 1 added line holds refused patterns/);
    expect(gates.stdout + gates.stderr).toContain("web/src/app.js:1: matches /console\\.log/");
  }, 60_000);
});
