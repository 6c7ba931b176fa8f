/** The SSH executor against a real OpenSSH server on loopback: quoting, input, upload, forwarding, multiplexing. */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureOk, sh } from "../../src/exec/command.js";
import { createSshExecutor } from "../../src/exec/ssh.js";
import { type Sshd, startSshd } from "../helpers/sshd.js";

let sshd: Sshd;
let dir: string;
beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), "tradeops-ssh-"));
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME });

describe("the SSH executor", () => {
  it("runs argv with awkward arguments, a directory, variables and input, over one shared connection", async () => {
    const before = sshd.logins();
    const ssh = createSshExecutor({ host: sshd.host, configFile: sshd.clientConfig, baseEnv: env() });
    try {
      const args = ["it's", "a b", "$HOME", "`id`", ""];
      const result = ensureOk(
        await ssh.run({
          argv: sh('printf "%s|" "$@" "$PWD" "$GREETING"; cat', ...args),
          cwd: dir,
          env: { GREETING: "hi there" },
          input: "stdin!",
        }),
        "echo",
        ssh,
      );
      expect(result.stdout).toBe(`${args.join("|")}|${dir}|hi there|stdin!`);
      for (let i = 0; i < 10; i++) expect((await ssh.run({ argv: ["true"] })).code).toBe(0);
      expect((await ssh.run({ argv: ["sh", "-c", "exit 7"] })).code).toBe(7);
      expect(sshd.logins() - before).toBe(1);
    } finally {
      await ssh.close();
    }
  });

  it("kills a command at its timeout (124) and keeps serving the next, concurrent ones; also without the channel", async () => {
    for (const channel of [true, false]) {
      const ssh = createSshExecutor({ host: sshd.host, configFile: sshd.clientConfig, baseEnv: env(), channel });
      try {
        if (channel) {
          // the host kills the command's process group (without the channel only the local ssh client is killed)
          const started = Date.now();
          const slow = await ssh.run({ argv: ["sleep", "30"], timeoutMs: 500 });
          expect(slow.code).toBe(124);
          expect(Date.now() - started).toBeLessThan(15_000);
        }
        const next = ensureOk(await ssh.run({ argv: sh('printf "%s" "$1"; cat', "after"), input: "!" }), "echo", ssh);
        expect(next.stdout).toBe("after!");
        const both = await Promise.all([1, 2, 3].map((n) => ssh.run({ argv: ["sh", "-c", `echo ${n}; exit ${n}`] })));
        expect(both.map((r) => [r.code, r.stdout])).toEqual([
          [1, "1\n"],
          [2, "2\n"],
          [3, "3\n"],
        ]);
      } finally {
        await ssh.close();
      }
    }
  });

  it("uploads atomically and forwards a loopback port of the host", async () => {
    const ssh = createSshExecutor({ host: sshd.host, configFile: sshd.clientConfig, baseEnv: env() });
    const server = createServer((_, res) => res.end("through the tunnel"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      writeFileSync(join(dir, "local.bin"), Buffer.from([0, 1, 2, 255]));
      await ssh.upload(join(dir, "local.bin"), join(dir, "remote/sub/copy.bin"));
      expect(readFileSync(join(dir, "remote/sub/copy.bin"))).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(statSync(join(dir, "remote/sub/copy.bin")).size).toBe(4);
      const forward = await ssh.forward((server.address() as { port: number }).port);
      expect(await fetch(`http://127.0.0.1:${forward.localPort}/`).then((r) => r.text())).toBe("through the tunnel");
      await forward.close();
    } finally {
      server.close();
      await ssh.close();
    }
  });

  it("reports an unreachable host as 69 with one sentence", async () => {
    const ssh = createSshExecutor({ host: "nobody@127.0.0.1:1", configFile: sshd.clientConfig, baseEnv: env() });
    try {
      const result = await ssh.run({ argv: ["true"] });
      expect(result.code).toBe(255);
      expect(() => ensureOk(result, "check the target", ssh)).toThrow(
        expect.objectContaining({
          code: "TRO_ERR_TARGET_UNAVAILABLE",
          exitCode: 69,
          message: expect.stringMatching(
            /^Cannot reach nobody@127\.0\.0\.1:1 to check the target: .*Connection refused/,
          ),
        }),
      );
    } finally {
      await ssh.close();
    }
  });
});
