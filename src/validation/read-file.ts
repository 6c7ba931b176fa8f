/**
 * The one way tradeops reads a file a person wrote (manifest, config layers, schema, dotenv, key files): only a
 * regular file, only up to a size limit, opened without blocking — a FIFO, a device or a directory in its place is
 * a readable problem, never a hang or a crash.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Manifests, config layers, schemas and dotenv files are small; anything larger is a mistake. */
export const TEXT_FILE_LIMIT_BYTES = 1024 * 1024;

export type ReadResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/**
 * Reads a regular file of at most `limit` bytes as UTF-8; otherwise says why not (missing, a directory, a FIFO
 * or device, too large, unreadable). Never throws.
 */
export function readTextFile(path: string, limit = TEXT_FILE_LIMIT_BYTES): ReadResult {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, reason: "does not exist" };
    if (code === "EISDIR") return { ok: false, reason: "is a directory, not a file" };
    if (code === "EACCES") return { ok: false, reason: "cannot be read (permission denied)" };
    return { ok: false, reason: `cannot be opened (${code ?? "error"})` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { ok: false, reason: "is a directory, not a file" };
    if (!stat.isFile())
      return { ok: false, reason: `is not a regular file (${stat.isFIFO() ? "a FIFO" : "a device or socket"})` };
    if (stat.size > limit) return { ok: false, reason: `is ${stat.size} bytes, over the limit of ${limit} bytes` };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { ok: true, text: buffer.subarray(0, read).toString("utf8") };
  } catch (error) {
    return { ok: false, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  } finally {
    closeSync(fd);
  }
}
