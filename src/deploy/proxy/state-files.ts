/** The proxy's files in its directory (`route.json`, `guard.json`, `proxy.json`): 0600, replaced atomically. */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface StateFiles {
  read<T>(name: string): T | null;
  write(name: string, value: unknown): void;
  remove(name: string): void;
}

export function stateFiles(dir: string): StateFiles {
  const file = (name: string) => join(dir, name);
  return {
    read: <T>(name: string) => {
      try {
        return JSON.parse(readFileSync(file(name), "utf8")) as T;
      } catch {
        return null;
      }
    },
    write: (name, value) => {
      const tmp = file(`${name}.${process.pid}.tmp`);
      writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, file(name));
    },
    remove: (name) => rmSync(file(name), { force: true }),
  };
}
