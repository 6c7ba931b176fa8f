/**
 * Parameter grids for sweeps: `--sweep strategy.fast_window=5..20 --sweep strategy.slow_window=20..60:10`
 * (a range with an optional step, or a list `a,b,c`), checked against the project's config, expanded into
 * every combination, and applied to a copy of the config.
 */
import { TroError } from "../../errors.js";

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly number[];
}

/** Most parameter sets one sweep runs: a typo in a range should not start a day-long job. */
export const MAX_SWEEP_SETS = 100_000;

/** @throws TroError TRO_ERR_USAGE naming the flag and what it should look like */
export function parseSweep(spec: string): SweepAxis {
  const m = /^([A-Za-z_][\w.]*)=(.+)$/.exec(spec.trim());
  const bad = (why: string) =>
    new TroError("TRO_ERR_USAGE", `--sweep ${spec}: ${why}.`, {
      hint: "Write KEY=FROM..TO[:STEP] or KEY=A,B,C, e.g. --sweep strategy.fast_window=5..20.",
    });
  if (!m) throw bad("not KEY=VALUES");
  const [, key, body] = m as unknown as [string, string, string];
  const range = /^(-?[\d.]+)\.\.(-?[\d.]+)(?::([\d.]+))?$/.exec(body);
  let values: number[];
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    const step = range[3] === undefined ? 1 : Number(range[3]);
    if (![from, to, step].every(Number.isFinite) || step <= 0) throw bad("the range or its step is not a number");
    if (from > to) throw bad(`${from} is above ${to}`);
    if ((to - from) / step + 1 > MAX_SWEEP_SETS) throw bad("the range has too many values");
    values = [];
    for (let k = 0; from + k * step <= to + 1e-9; k++) values.push(round(from + k * step));
  } else {
    values = body.split(",").map((v) => Number(v.trim()));
    if (!values.length || !values.every(Number.isFinite)) throw bad("a value is not a number");
  }
  return { key, values: [...new Set(values)] };
}

/**
 * Every combination of the axes' values, as key → value overrides.
 * @throws TroError TRO_ERR_USAGE for a key the config does not hold as a number, or too many combinations
 */
export function expandGrid(axes: readonly SweepAxis[], config: unknown): Record<string, number>[] {
  for (const axis of axes) {
    const current = getKey(config, axis.key);
    if (typeof current !== "number") {
      throw new TroError(
        "TRO_ERR_USAGE",
        `--sweep ${axis.key}: the config ${current === undefined ? "has no such key" : `holds ${JSON.stringify(current)} there, not a number`}.`,
        { hint: "Sweep a numeric key of the project's config (tradeops config show PROJECT lists them)." },
      );
    }
  }
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_SWEEP_SETS) {
    throw new TroError(
      "TRO_ERR_USAGE",
      `The sweep has ${total.toLocaleString("en-US")} parameter sets, more than ${MAX_SWEEP_SETS}.`,
      {
        hint: "Use coarser steps (KEY=FROM..TO:STEP).",
      },
    );
  }
  let sets: Record<string, number>[] = [{}];
  for (const axis of axes) sets = sets.flatMap((s) => axis.values.map((v) => ({ ...s, [axis.key]: v })));
  return sets;
}

/** A deep copy of `config` with the overrides written in. */
export function applyOverrides(config: unknown, overrides: Readonly<Record<string, number>>): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const parts = key.split(".");
    let node = copy;
    for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return copy;
}

function getKey(config: unknown, key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), config);
}

const round = (n: number) => Math.round(n * 1e9) / 1e9;
