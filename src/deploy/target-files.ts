/**
 * Small files on a target, read and written through its executor: the same code for this machine and for SSH hosts.
 * Writes go to a temporary name and are renamed, so a reader never sees half a file; everything is created 0600 in
 * directories created 0700. Records pass through `scrubbingFiles`, so no secret a deploy learnt reaches them.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Executor, ensureOk, sh } from "../exec/command.js";
import { parseHost } from "../workspace/lookup.js";

export interface TargetFiles {
  readonly executor: Executor;
  /** the file's text, or undefined when it does not exist */
  read(path: string): Promise<string | undefined>;
  readJson<T>(path: string): Promise<T | undefined>;
  write(path: string, text: string): Promise<void>;
  writeJson(path: string, value: unknown): Promise<void>;
  append(path: string, line: string): Promise<void>;
  mkdirs(...paths: readonly string[]): Promise<void>;
  remove(...paths: readonly string[]): Promise<void>;
}

const READ = 'if [ -e "$1" ]; then cat "$1"; else exit 3; fi';
const WRITE = 'umask 077; mkdir -p "$(dirname "$1")" && cat > "$1.$$.tmp" && mv -f "$1.$$.tmp" "$1"';
const APPEND = 'umask 077; mkdir -p "$(dirname "$1")" && cat >> "$1"';
const MKDIRS = 'umask 077; mkdir -p "$@"';

/** File access on the executor's host: the file system directly on this machine, commands elsewhere. */
export function targetFiles(executor: Executor): TargetFiles {
  return executor.local && parseHost(executor.host).local ? localFiles(executor) : remoteFiles(executor);
}

/** This machine: the same semantics (atomic writes, 0600) without a process per file. */
function localFiles(executor: Executor): TargetFiles {
  const files: TargetFiles = {
    executor,
    read: async (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined),
    readJson: async <T>(path: string) => {
      const text = await files.read(path);
      return text === undefined || !text.trim() ? undefined : (JSON.parse(text) as T);
    },
    write: async (path, text) => {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, path);
    },
    writeJson: (path, value) => files.write(path, `${JSON.stringify(value, null, 2)}\n`),
    append: async (path, line) => {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      appendFileSync(path, `${line}\n`, { mode: 0o600 });
    },
    mkdirs: async (...paths) => {
      for (const p of paths) mkdirSync(p, { recursive: true, mode: 0o700 });
    },
    remove: async (...paths) => {
      for (const p of paths) rmSync(p, { recursive: true, force: true });
    },
  };
  return files;
}

function remoteFiles(executor: Executor): TargetFiles {
  const files: TargetFiles = {
    executor,
    read: async (path) => {
      const result = await executor.run({ argv: sh(READ, path) });
      if (result.code === 3) return undefined;
      return ensureOk(result, `read ${path}`, executor).stdout;
    },
    readJson: async <T>(path: string) => {
      const text = await files.read(path);
      if (text === undefined || !text.trim()) return undefined;
      return JSON.parse(text) as T;
    },
    write: async (path, text) => {
      ensureOk(await executor.run({ argv: sh(WRITE, path), input: text }), `write ${path}`, executor);
    },
    writeJson: (path, value) => files.write(path, `${JSON.stringify(value, null, 2)}\n`),
    append: async (path, line) => {
      ensureOk(await executor.run({ argv: sh(APPEND, path), input: `${line}\n` }), `append to ${path}`, executor);
    },
    mkdirs: async (...paths) => {
      ensureOk(await executor.run({ argv: sh(MKDIRS, ...paths) }), `create ${paths.join(", ")}`, executor);
    },
    remove: async (...paths) => {
      if (paths.length) ensureOk(await executor.run({ argv: ["rm", "-rf", ...paths] }), "remove old files", executor);
    },
  };
  return files;
}

/** The same files with every text written passed through `scrub` first (records: state, releases, history, lock). */
export function scrubbingFiles(files: TargetFiles, scrub: (text: string) => string): TargetFiles {
  const scrubbed: TargetFiles = {
    ...files,
    write: (path, text) => files.write(path, scrub(text)),
    writeJson: (path, value) => scrubbed.write(path, `${JSON.stringify(value, null, 2)}\n`),
    append: (path, line) => files.append(path, scrub(line)),
  };
  return scrubbed;
}
