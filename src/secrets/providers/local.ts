/** Providers that read this machine: environment variables, dotenv files, config keys, a command's output. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { isPlaceholder } from "../../config/check.js";
import { runLocal, seconds } from "../../exec/local.js";
import { readTextFile } from "../../validation/read-file.js";
import { each, failure, missing, type SecretProvider, value } from "./types.js";

export const EXEC_TIMEOUT_MS = 10_000;
const EXEC_MAX_BYTES = 64 * 1024;

export const envProvider: SecretProvider = {
  lookupMany: (refs, ctx) =>
    each(refs, (ref) => {
      const v = ctx.env[ref.target];
      return v === undefined ? missing(`${ref.target} is not set`) : value(v);
    }),
};

/** `dotenv:FILE#KEY`, FILE relative to the project's directory; a missing file is "no value". */
export const dotenvProvider: SecretProvider = {
  lookupMany: (refs, ctx) =>
    each(refs, (ref) => {
      const file = resolve(ctx.projectDir, ref.target);
      // the full path: a file at the workspace root is not found from a project's directory without `../`
      if (!existsSync(file)) return missing(`${file} does not exist (a dotenv path is relative to the project)`);
      const key = ref.key ?? "";
      if (!key) return failure("a dotenv source needs #KEY, e.g. dotenv:.env.local#API_KEY");
      const read = readTextFile(file);
      if (!read.ok) return failure(`${ref.target} ${read.reason}`);
      const twice = duplicateDotenvKeys(read.text).find((d) => d.key === key);
      if (twice) return failure(`${key} is set twice in ${ref.target} (lines ${twice.first} and ${twice.line})`);
      const v = parseDotenv(read.text)[key];
      return v === undefined ? missing(`${key} is not in ${ref.target}`) : value(v);
    }),
};

/** `config:dotted.key` from the project's merged config; placeholders such as FROM_SECRETS are not values. */
export const configProvider: SecretProvider = {
  lookupMany: (refs, ctx) =>
    each(refs, (ref) => {
      const v = ref.target
        .split(".")
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], ctx.config);
      if (v === undefined || v === null) return missing(`config key ${ref.target} is not set`);
      if (typeof v !== "string") return failure(`config key ${ref.target} is not a string`);
      return isPlaceholder(v) ? missing(`config key ${ref.target} holds a placeholder`) : value(v);
    }),
};

/** `exec:COMMAND`: the trimmed standard output of a shell command run in the project's directory. */
export const execProvider: SecretProvider = {
  lookupMany: (refs, ctx) => each(refs, (ref) => runCommand(ref.target, ctx.projectDir, ctx.env)),
};

async function runCommand(command: string, cwd: string, env: Readonly<Record<string, string | undefined>>) {
  const result = await runLocal({ argv: ["sh", "-c", command], cwd, timeoutMs: EXEC_TIMEOUT_MS }, { baseEnv: env });
  if (result.timedOutAfterMs)
    return failure(`command timed out after ${seconds(result.timedOutAfterMs)} (its process group was killed)`);
  if (result.code === 127 && !result.stdout) return failure("command could not be started");
  if (result.code !== 0) return failure(`command exited with code ${result.code}`);
  if (result.stdout.length > EXEC_MAX_BYTES) return failure(`command printed more than ${EXEC_MAX_BYTES} bytes`);
  return value(result.stdout.trim());
}

/** Keys a dotenv text sets more than once, with both lines: which one wins is a guess nobody should make. */
export function duplicateDotenvKeys(text: string): { key: string; first: number; line: number }[] {
  const seen = new Map<string, number>();
  const out: { key: string; first: number; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(raw)?.[1];
    if (!key) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i + 1);
    else out.push({ key, first, line: i + 1 });
  });
  return out;
}
