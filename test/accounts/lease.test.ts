import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openLease } from "../../src/accounts/lease.js";

const dir = () => mkdtempSync(join(tmpdir(), "tradeops-lease-"));

describe("the executor lease", () => {
  it("has one holder at a time, and the token grows at every change", () => {
    let now = 1_000;
    const d = dir();
    const a = openLease({ dir: d, project: "argo", account: "alpaca:paper", ttlMs: 10_000, now: () => now });
    const b = openLease({ dir: d, project: "argo", account: "alpaca:paper", ttlMs: 10_000, now: () => now });
    const blue = a.acquire("release-blue");
    expect(blue).toBe(1);
    expect(a.acquire("release-blue")).toBe(1);
    expect(() => b.acquire("release-green")).toThrow(expect.objectContaining({ code: "TRO_ERR_LOCK_HELD" }));
    expect(a.isCurrent("release-blue", blue)).toBe(true);

    const green = b.transfer("release-green");
    expect(green).toBe(2);
    expect(a.isCurrent("release-blue", blue)).toBe(false);
    expect(a.renew("release-blue", blue)).toBe(false);
    a.release("release-blue", blue); // a stale release changes nothing
    expect(b.isCurrent("release-green", green)).toBe(true);

    now += 10_001;
    expect(b.isCurrent("release-green", green)).toBe(false);
    expect(a.acquire("release-blue")).toBe(3);
  });
  it("renewal keeps it alive; release frees it", () => {
    let now = 0;
    const lease = openLease({ dir: dir(), project: "argo", account: "x", ttlMs: 100, now: () => now });
    const token = lease.acquire("r1");
    now = 90;
    expect(lease.renew("r1", token)).toBe(true);
    now = 180;
    expect(lease.isCurrent("r1", token)).toBe(true);
    lease.release("r1", token);
    expect(lease.isCurrent("r1", token)).toBe(false);
    expect(lease.read().token).toBe(2);
    expect(lease.read().holder).toBeUndefined();
  });
  it("is never held by two processes at once", async () => {
    const d = dir();
    const script = `
      import { createJiti } from "jiti";
      const { openLease } = await createJiti(import.meta.url).import(${JSON.stringify(join(import.meta.dirname, "../../src/accounts/lease.ts"))});
      const lease = openLease({ dir: ${JSON.stringify(d)}, project: "argo", account: "a" });
      try { console.log("won " + lease.acquire(process.argv[1])); } catch (e) { console.log("lost " + e.code); }`;
    const runs = Array.from({ length: 6 }, (_, i) =>
      spawn(process.execPath, ["--input-type=module", "-e", script, `holder-${i}`], {
        cwd: join(import.meta.dirname, "../.."),
      }),
    );
    const outputs = await Promise.all(
      runs.map(async (child) => {
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        await once(child, "exit");
        return out.trim();
      }),
    );
    expect(outputs.filter((o) => o.startsWith("won"))).toEqual(["won 1"]);
    expect(outputs.filter((o) => o === "lost TRO_ERR_LOCK_HELD")).toHaveLength(5);
  });
});
