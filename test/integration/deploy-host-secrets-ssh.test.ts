/**
 * `secrets: host` end to end on a real OpenSSH target with tradeops installed: the production broker key lives only
 * in a `.env` on the server (a persistent path of the target), never in the deploying workspace. The deploy passes
 * gate 7 without it, the host answers for it before anything starts, install and the running service receive it
 * (each shows a digest), a host without it fails the deploy before the switch, the direct runner and a host without
 * tradeops are refused, and the value shows in no output and no file the deployer wrote.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, snapshot } from "../helpers/cli.js";
import { sshdForFile } from "../helpers/sshd.js";
import { tellerShop } from "../helpers/teller-shop.js";

const BIN = join(import.meta.dirname, "../../bin/tradeops.js");
/** the production key: on the server only */
const BROKER_KEY = "live-broker-key-3b9e71c04d5a";
const ROTATED_KEY = "live-broker-key-rotated-8c2f5a";
const digest = (value: string) => createHash("sha256").update(value).digest("hex");

beforeAll(() => {
  expect(existsSync(join(import.meta.dirname, "../../dist/cli.js")), "run `npm run build` first").toBe(true);
});
const sshd = sshdForFile({ tradeops: true });
/** a host where tradeops is not installed */
const bare = sshdForFile();

/** Answers every request with a digest of the key it was started with (never the key). */
const SERVER = `import { createServer } from "node:http";
import { createHash } from "node:crypto";
const key = process.env.BROKER_KEY;
const body = JSON.stringify({ status: "healthy", brokerKeyDigest: key ? createHash("sha256").update(key).digest("hex") : null });
createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end(body); })
  .listen(Number(process.env.PORT), "127.0.0.1");
`;
/** The install command records the digest of the key it ran with, in the release's directory. */
const INSTALL = `import { writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
writeFileSync("install-digest.txt", createHash("sha256").update(process.env.BROKER_KEY ?? "").digest("hex"));
`;

/** The shop, with its key only where the test puts it on the host. */
const shopOn = (host: string) =>
  tellerShop({
    host,
    commands: "{ start: node server.mjs, install: node install.mjs }",
    files: { "teller/server.mjs": SERVER, "teller/install.mjs": INSTALL },
  });

/** Every regular file below a directory but the server's own `.env` (links to it and sockets skipped). */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const s = lstatSync(p);
      if (s.isSymbolicLink()) continue;
      if (s.isDirectory()) walk(p);
      else if (s.isFile() && !p.endsWith("shared/persist/.env.production")) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe("secrets resolved on the target host (secrets: host)", () => {
  it("deploys with a key only the server has, fails before the switch without it, never shows it", async () => {
    const { shop, port, target } = await shopOn(sshd().host);
    const env = { ...shop.env, TRADEOPS_SUPERVISOR_ENTRY: BIN, TRADEOPS_SSH_CONFIG: sshd().clientConfig };
    const printed: string[] = [];
    const run = async (...args: string[]) => {
      const result = await cli(args, { cwd: shop.root, env });
      printed.push(result.stdout, result.stderr);
      return result;
    };
    const serverEnv = join(target, "shared/persist/.env.production");
    mkdirSync(join(target, "shared/persist"), { recursive: true });
    writeFileSync(serverEnv, `BROKER_KEY=${BROKER_KEY}\n`, { mode: 0o600 });
    expect(existsSync(join(shop.root, "teller/.env.production"))).toBe(false);

    // the direct runner cannot resolve the host's secrets: refused before anything on the host changes
    const before = snapshot(target);
    const direct = await run("deploy", "teller", "to", "production", "--runner", "direct");
    expect(direct.code, direct.stderr).toBe(77);
    expect(direct.stderr).toContain(`targets.production.teller resolves its secrets on ${sshd().host}`);
    expect(direct.stderr).toContain("--runner direct");
    expect(snapshot(target)).toEqual(before);

    const first = await run("deploy", "teller", "to", "production", "--json");
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const deployed = JSON.parse(first.stdout);
    const r1 = deployed.records[0].release as string;
    const gate7 = deployed.gates.find((g: { gate: number }) => g.gate === 7);
    expect(gate7.reason).toContain(`1 secret(s) left to the host (${sshd().host}) to resolve, not here`);
    expect(deployed.records[0].steps.map((s: { step: string }) => s.step)).toEqual([
      "upload",
      "secrets",
      "install",
      "start",
      "switch",
      "finish",
    ]);
    // the running service and the install command both got the server's key
    const served = (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json())) as { brokerKeyDigest: string };
    expect(served.brokerKeyDigest).toBe(digest(BROKER_KEY));
    expect(readFileSync(join(target, "releases", r1, "teller/install-digest.txt"), "utf8")).toBe(digest(BROKER_KEY));
    // the env file names no secret
    expect(readFileSync(join(target, "shared/env", `${r1}.env`), "utf8")).not.toMatch(/BROKER_KEY/);

    // the server's .env gone: the deploy fails before the switch, the first release serves on (its process keeps
    // the key it started with; the persistent path is seeded empty again, so the host finds no BROKER_KEY in it)
    rmSync(serverEnv);
    shop.commit("v2", { "teller/README.md": "v2\n" });
    const second = await run("deploy", "teller", "to", "production");
    expect(second.code, second.stderr).toBe(78);
    expect(second.stderr).toContain(`secret BROKER_KEY of teller does not resolve on ${sshd().host}`);
    expect(second.stderr).toContain("dotenv:.env.production#BROKER_KEY (BROKER_KEY is not in .env.production)");
    expect(second.stderr).toContain("failed before the switch");
    const served2 = (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json())) as { brokerKeyDigest: string };
    expect(served2.brokerKeyDigest).toBe(digest(BROKER_KEY));
    const history = JSON.parse((await run("history", "--env", "production", "--json")).stdout);
    const failed = history.records[0];
    expect(failed).toMatchObject({ kind: "deploy", outcome: "failed", host: sshd().host });
    expect(failed.steps.map((s: { step: string; status: string }) => `${s.step} ${s.status}`)).toEqual([
      "upload pass",
      "secrets fail",
    ]);
    expect(failed.steps[1].detail).toContain("BROKER_KEY");
    expect(history.records[1]).toMatchObject({ release: r1, outcome: "succeeded" });

    // the key back on the server: a deploy passes, and a rollback starts the first release with the key again
    writeFileSync(serverEnv, `BROKER_KEY=${BROKER_KEY}\n`);
    const third = await run("deploy", "teller", "to", "production");
    expect(third.code, third.stderr).toBe(0);
    const back = await run("rollback", "teller", "--env", "production", "--json");
    expect(back.code, back.stderr + back.stdout).toBe(0);
    const served3 = (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json())) as { brokerKeyDigest: string };
    expect(served3.brokerKeyDigest).toBe(digest(BROKER_KEY));

    // a key rotated on the server reaches the release at its next start by `tradeops target`: the host resolves it
    writeFileSync(serverEnv, `BROKER_KEY=${ROTATED_KEY}\n`);
    for (const verb of ["stop", "start"]) {
      const done = await run("target", verb, "teller", "production");
      expect(done.code, done.stderr).toBe(0);
    }
    const status = await run("target", "status", "teller", "production", "--json");
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).targets[0]).toMatchObject({ runner: "supervisor", secrets: "host" });
    const text = await run("target", "status", "teller", "production");
    expect(text.stdout).toContain("runner supervisor · secrets on the host");
    const served4 = (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json())) as { brokerKeyDigest: string };
    expect(served4.brokerKeyDigest).toBe(digest(ROTATED_KEY));

    // the values in no output, and in no file the deploy wrote on the host (records, env files, logs, releases)
    for (const key of [BROKER_KEY, ROTATED_KEY]) {
      expect(printed.join("\n")).not.toContain(key);
      for (const file of filesBelow(target)) expect(readFileSync(file, "utf8"), file).not.toContain(key);
    }
    // three deploys, a rollback, a target stop and start measured 12.3 s in all at a load average of 3.5 (the host's
    // secrets check 0.15 s of a 1.3 s deploy); 60 s is a margin of ≈ 5×
  }, 60_000);

  it("refuses a host without tradeops before anything changes there", async () => {
    const { shop, target } = await shopOn(bare().host);
    const env = { ...shop.env, TRADEOPS_SSH_CONFIG: bare().clientConfig };
    mkdirSync(join(target, "shared/persist"), { recursive: true });
    writeFileSync(join(target, "shared/persist/.env.production"), `BROKER_KEY=${BROKER_KEY}\n`, { mode: 0o600 });
    const before = snapshot(target);
    const result = await cli(["deploy", "teller", "to", "production", "--json"], { cwd: shop.root, env });
    expect(result.code, result.stdout).toBe(77);
    const error = JSON.parse(result.stdout).error;
    expect(error).toMatchObject({ code: "TRO_ERR_POLICY_REFUSED" });
    expect(error.message).toContain(`${bare().host} has no tradeops on its PATH; nothing was changed.`);
    expect(snapshot(target)).toEqual(before);
    expect(result.stdout + result.stderr).not.toContain(BROKER_KEY);
  }, 30_000);
});
