/**
 * Log lines for people: pino's JSON lines pretty-printed (pino-pretty) with the service in front, standard error
 * marked, other lines as they are; `--raw` prints the JSON lines untouched.
 */
import { prettyFactory } from "pino-pretty";
import type { Output } from "../io.js";

export interface LogFile {
  readonly instance: string;
  readonly stream: "out" | "err";
  readonly path: string;
}

export interface LogEntry {
  readonly service: string;
  readonly stream: "out" | "err";
  readonly line: string;
}

const MARKER = /^\[tradeops (\d{4}-\d{2}-\d{2}T[\d:.]+Z)\]/;

/** The time a log line carries: pino's `time`, or the supervisor's `[tradeops ISO]` marker. */
export function lineTime(line: string): number | undefined {
  const marker = MARKER.exec(line);
  if (marker) return Date.parse(marker[1]!);
  if (!line.startsWith("{")) return undefined;
  try {
    const time = (JSON.parse(line) as { time?: unknown }).time;
    return typeof time === "number" ? time : typeof time === "string" ? Date.parse(time) : undefined;
  } catch {
    return undefined;
  }
}

export function createLogRenderer(
  out: Output,
  options: { readonly raw: boolean; readonly labels: boolean; readonly width: number },
): (entry: LogEntry) => void {
  const c = out.colors;
  const pretty = prettyFactory({
    colorize: c.isColorSupported,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    singleLine: true,
  });
  return ({ service, stream, line }) => {
    let text = line;
    if (!options.raw && line.startsWith("{")) {
      try {
        JSON.parse(line);
        // a JSON line without pino's time and level comes back with a space in front of it
        text = pretty(line).replace(/\n$/, "").trimStart();
      } catch {
        // not JSON after all: as it is
      }
    }
    const label = options.labels ? `${c.cyan(service.padEnd(options.width))} ` : "";
    const streamMark = stream === "err" ? c.yellow("! ") : "";
    out.line(`${label}${options.labels || stream === "err" ? "| " : ""}${streamMark}${text}`);
  };
}
