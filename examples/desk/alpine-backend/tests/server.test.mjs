import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";

test("answers /health with healthy", async () => {
  const child = spawn(process.execPath, ["server.mjs"], { env: { ...process.env, PORT: "0" } });
  try {
    const [line] = await once(createInterface({ input: child.stdout }), "line");
    const { port } = JSON.parse(line);
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).status, "healthy");
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});
