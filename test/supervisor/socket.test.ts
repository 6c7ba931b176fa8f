/** The socket: where it lives, and that a client never sends its environment to someone else's socket. */
import { chownSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectSupervisor } from "../../src/supervisor/client.js";
import { socketPath, stateLayout } from "../../src/supervisor/paths.js";
import { ensureStateDir } from "../../src/supervisor/store.js";

describe("socket path", () => {
  it("lives in the state directory, or in a private per-user directory when that path is too long", () => {
    expect(socketPath("/srv/desk/.tradeops/production/supervisor")).toBe(
      "/srv/desk/.tradeops/production/supervisor/supervisor.sock",
    );
    const deep = `/srv/${"very-long-directory-name/".repeat(5)}supervisor`;
    const path = socketPath(deep);
    expect(path.startsWith(join(tmpdir(), `tradeops-${process.getuid?.()}`))).toBe(true);
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(100);
    expect(socketPath(deep)).toBe(path);
    expect(socketPath(`${deep}2`)).not.toBe(path);
  });
});

describe("socket ownership", () => {
  it("answers 'no supervisor' when there is no socket", async () => {
    const client = connectSupervisor(mkdtempSync(join(tmpdir(), "tradeops-sock-")));
    expect(await client.running()).toBeUndefined();
    await expect(client.status()).rejects.toMatchObject({
      code: "TRO_ERR_SUPERVISOR_UNAVAILABLE",
      message: expect.stringContaining("No supervisor runs"),
    });
  });

  // making a socket that belongs to someone else needs root (the tests run as root on these machines, TESTING.md)
  it.runIf(process.getuid?.() === 0)(
    "refuses a socket that belongs to another user, before sending anything",
    async () => {
      const layout = stateLayout(mkdtempSync(join(tmpdir(), "tradeops-sock-")));
      ensureStateDir(layout);
      let received = "";
      const server = createServer((s) => s.on("data", (d) => (received += d)));
      await new Promise<void>((r) => server.listen(layout.socket, r));
      try {
        chownSync(layout.socket, 65534, 65534);
        const client = connectSupervisor(layout.dir);
        await expect(client.start({ project: "x", orders: true }, { SECRET: "s3cr3t-value" })).rejects.toMatchObject({
          code: "TRO_ERR_GUARD_REFUSED",
          message: expect.stringContaining("belongs to user 65534"),
        });
        expect(received).toBe("");
      } finally {
        server.close();
      }
    },
  );
});
