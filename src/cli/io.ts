/** Everything the CLI touches outside itself, injected so that tests run it in-process and capture it all. */
import pc from "picocolors";
import { SecretScrubber } from "../logging/scrubber.js";

export interface CliIO {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly hostname?: () => string;
  readonly exists?: (path: string) => boolean;
  /** answers to questions (`init` asks before writing; absent or not a terminal: nothing is asked), and records `signals append` reads */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface GlobalOptions {
  readonly workspace?: string;
  readonly env?: string;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
}

export type Colors = ReturnType<typeof pc.createColors>;

/** The only way commands print: scrubbed of known secrets, coloured only on a terminal. */
export class Output {
  readonly colors: Colors;
  readonly scrubber = new SecretScrubber();

  constructor(
    readonly io: CliIO,
    readonly options: GlobalOptions,
  ) {
    const enabled = options.color && !("NO_COLOR" in io.env) && Boolean(io.stdout.isTTY);
    this.colors = pc.createColors(enabled);
  }

  /**
   * A line of normal output (suppressed by --quiet unless it is the command's result). With --json, standard
   * output carries only the JSON document, so text lines go to standard error.
   */
  line(text = ""): void {
    (this.options.json ? this.io.stderr : this.io.stdout).write(`${this.scrubber.scrub(text)}\n`);
  }

  /** A line of data on standard output whatever the flags (`signals export`): the command's product. */
  data(text: string): void {
    this.io.stdout.write(`${this.scrubber.scrub(text)}\n`);
  }

  /** One NDJSON record on standard output (streaming commands with --json). */
  record(value: unknown): void {
    this.io.stdout.write(`${this.scrubber.scrub(JSON.stringify(value))}\n`);
  }

  info(text: string): void {
    if (!this.options.quiet) this.line(text);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${this.scrubber.scrub(JSON.stringify(value, null, 2))}\n`);
  }

  warn(text: string): void {
    if (!this.options.quiet)
      this.io.stderr.write(`${this.scrubber.scrub(`${this.colors.yellow("warning:")} ${text}`)}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${this.scrubber.scrub(text)}\n`);
  }
}
