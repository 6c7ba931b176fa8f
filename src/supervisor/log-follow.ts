/**
 * `tail -F` for the supervisor's log files (`tradeops logs -f`, `tradeops up`): polls for appended bytes,
 * starts over when a rotation truncated the file, waits for a file that does not exist yet.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

export const FOLLOW_INTERVAL_MS = 100;
const READ_CHUNK = 256 * 1024;

export interface FollowedFile {
  readonly label: string;
  readonly path: string;
}

/** Calls `onLine(label, line)` for every complete line appended from now on; returns the stop function. */
export function followFiles(
  files: readonly FollowedFile[],
  onLine: (label: string, line: string) => void,
  options: { readonly fromStart?: boolean; readonly intervalMs?: number } = {},
): () => void {
  const state = files.map((file) => ({
    ...file,
    offset: options.fromStart ? 0 : sizeOf(file.path),
    partial: "",
    // keeps a UTF-8 character split across two reads whole
    decoder: new StringDecoder("utf8"),
  }));
  const poll = () => {
    for (const file of state) {
      const size = sizeOf(file.path);
      if (size < file.offset) {
        file.offset = 0; // rotated: copied away, then truncated
        file.partial = "";
      }
      if (size === file.offset) continue;
      const bytes = readRange(file.path, file.offset, Math.min(size - file.offset, READ_CHUNK));
      file.offset += bytes.length;
      const text = file.decoder.write(bytes);
      const lines = (file.partial + text).split("\n");
      file.partial = lines.pop() ?? "";
      for (const line of lines) onLine(file.label, line);
    }
  };
  const timer = setInterval(poll, options.intervalMs ?? FOLLOW_INTERVAL_MS);
  poll();
  return () => {
    clearInterval(timer);
    poll();
    for (const file of state) if (file.partial) onLine(file.label, file.partial);
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readRange(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
  } finally {
    closeSync(fd);
  }
}
