/**
 * A bounded local spool for signals recorded while the store is unavailable: one JSON line per record, appended
 * as it arrives (so a crash keeps what was spooled), drained oldest first once the store is back. When it is full,
 * new records are dropped and counted, never older ones: the gap is at the end and its size is known.
 * Delivery is at least once: a crash between storing a drained chunk and rewriting the spool repeats that chunk.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PreparedInput } from "./prepare.js";
import type { SignalInput } from "./types.js";

export const SPOOL_MAX_RECORDS = 10_000;
export const SPOOL_MAX_BYTES = 16 * 1024 * 1024;

export interface SpoolOptions {
  /** the spool file; without one the spool lives in memory only */
  readonly path?: string;
  readonly maxRecords?: number;
  readonly maxBytes?: number;
}

function lineOf(input: PreparedInput): string {
  // the payload is canonical JSON already: embedded as it is
  const { payload, ...rest } = input;
  return `${JSON.stringify(rest).slice(0, -1)},"payload":${payload}}\n`;
}

export class SignalSpool {
  readonly path: string | undefined;
  readonly maxRecords: number;
  readonly maxBytes: number;
  #lines: string[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(options: SpoolOptions = {}) {
    this.path = options.path;
    this.maxRecords = options.maxRecords ?? SPOOL_MAX_RECORDS;
    this.maxBytes = options.maxBytes ?? SPOOL_MAX_BYTES;
    if (this.path && existsSync(this.path)) {
      for (const line of readFileSync(this.path, "utf8").split("\n")) {
        if (!line) continue;
        try {
          JSON.parse(line);
          this.#lines.push(`${line}\n`);
          this.#bytes += Buffer.byteLength(line) + 1;
        } catch {
          this.#dropped++; // a line torn by a crash while it was written
        }
      }
    }
  }

  /** records waiting */
  get size(): number {
    return this.#lines.length;
  }

  /** records refused because the spool was full (or torn by a crash) */
  get dropped(): number {
    return this.#dropped;
  }

  /** Keeps as many records as fit; returns how many it kept and how many it dropped. */
  push(inputs: readonly PreparedInput[]): { spooled: number; dropped: number } {
    const kept: string[] = [];
    for (const input of inputs) {
      const line = lineOf(input);
      const size = Buffer.byteLength(line);
      if (this.#lines.length + kept.length >= this.maxRecords || this.#bytes + size > this.maxBytes) {
        this.#dropped++;
        continue;
      }
      kept.push(line);
      this.#bytes += size;
    }
    if (kept.length && this.path) {
      mkdirSync(dirname(this.path), { recursive: true });
      appendFileSync(this.path, kept.join(""));
    }
    this.#lines.push(...kept);
    return { spooled: kept.length, dropped: inputs.length - kept.length };
  }

  /** The oldest records, ready to append. */
  peek(count: number): SignalInput[] {
    return this.#lines.slice(0, count).map((line) => JSON.parse(line) as SignalInput);
  }

  /** Forgets the oldest records once they are stored. */
  remove(count: number): void {
    const removed = this.#lines.splice(0, count);
    for (const line of removed) this.#bytes -= Buffer.byteLength(line);
    if (!this.path) return;
    if (!this.#lines.length) {
      rmSync(this.path, { force: true });
      return;
    }
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, this.#lines.join(""));
    renameSync(tmp, this.path);
  }
}
