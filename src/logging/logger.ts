/**
 * Structured logs with pino: level from the environment's settings, redaction of every sensitive path,
 * pretty lines on a terminal and JSON otherwise, and the secret scrubber in front of the destination.
 */
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import type { SecretScrubber } from "./scrubber.js";

export type { Logger } from "pino";

export interface CreateLoggerOptions {
  readonly level: string;
  /** human-readable lines (default: when the destination is a TTY) */
  readonly pretty?: boolean;
  readonly destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** extra redaction paths (pino syntax), e.g. sensitive config keys under `config.` */
  readonly redactPaths?: readonly string[];
  readonly scrubber?: SecretScrubber;
  readonly base?: Record<string, unknown>;
}

/** Paths redacted in every log line, whatever the schema says. */
export const DEFAULT_REDACT_PATHS = [
  "*.password",
  "*.secret",
  "*.secretKey",
  "*.secret_key",
  "*.apiKey",
  "*.api_key",
  "*.token",
  "*.privateKey",
  "*.private_key",
  "headers.authorization",
  'headers["apca-api-secret-key"]',
  'headers["apca-api-key-id"]',
];

export function createLogger(options: CreateLoggerOptions): Logger {
  const target = options.destination ?? process.stderr;
  const scrubbed = options.scrubber ? scrubbingStream(target, options.scrubber) : target;
  const pretty = options.pretty ?? Boolean(target.isTTY);
  const stream = pretty ? prettyStream(scrubbed) : scrubbed;
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      redact: { paths: [...DEFAULT_REDACT_PATHS, ...(options.redactPaths ?? [])], censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream as pino.DestinationStream,
  );
}

function scrubbingStream(target: NodeJS.WritableStream, scrubber: SecretScrubber): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      target.write(scrubber.scrub(String(chunk)));
      done();
    },
  });
}

function prettyStream(target: NodeJS.WritableStream): NodeJS.WritableStream {
  // pino-pretty is loaded only when a terminal is attached, to keep it off the non-interactive path
  const build = createRequire(import.meta.url)("pino-pretty") as (o: object) => NodeJS.WritableStream;
  return build({
    destination: target,
    sync: true,
    colorize: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
  });
}
