/** The sweep pool's parts: batches that shrink to single sets, bars in shared memory, a thread's own CPU clock. */
import { describe, expect, it } from "vitest";
import { allocateSeries, sliceSeries } from "../../src/runtime/data/bars.js";
import { batchSize, shareSeries } from "../../src/runtime/sweep/pool.js";
import { threadCpuMs } from "../../src/runtime/sweep/thread-cpu.js";

describe("sweep pool", () => {
  it("hands out a share of what is left, down to single sets, and never more than there is", () => {
    const sizes: number[] = [];
    for (let left = 864; left > 0; left -= sizes.at(-1)!) sizes.push(batchSize(left, 2));
    expect(sizes[0]).toBe(144);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(864);
    expect(sizes.slice(-6)).toEqual([1, 1, 1, 1, 1, 1]);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
    expect(batchSize(1, 8)).toBe(1);
  });

  it("puts a series' bars, or a slice of them, in shared memory without changing one", () => {
    const s = allocateSeries(["A", "B"], 5);
    for (let i = 0; i < 5; i++) {
      s.time[i] = 1000 * i;
      s.close[i] = 100 + i;
      s.symbolIndex[i] = i % 2;
    }
    const part = sliceSeries(s, 1000, 4000);
    const shared = shareSeries(part);
    expect(shared.length).toBe(3);
    expect(shared.symbols).toEqual(["A", "B"]);
    expect(shared.time.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.symbolIndex.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...shared.time]).toEqual([1000, 2000, 3000]);
    expect([...shared.close]).toEqual([101, 102, 103]);
    expect([...shared.symbolIndex]).toEqual([1, 0, 1]);
  });

  it("reads the calling thread's CPU time from /proc, a command name with spaces and parentheses included", () => {
    const stat = "4242 (node (worker) x) R 1 2 3 4 5 6 7 8 9 10 37 5 0 0 20 0 9 0 100";
    expect(threadCpuMs(() => stat)).toBe(420);
    expect(
      threadCpuMs(() => {
        throw new Error("ENOENT");
      }),
    ).toBeNull();
    if (process.platform !== "linux") return;
    const before = threadCpuMs()!;
    const until = Date.now() + 60;
    let spin = 0;
    while (Date.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(threadCpuMs()!).toBeGreaterThanOrEqual(before);
  });
});
