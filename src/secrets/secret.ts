/**
 * A secret value as a type that cannot leak (Kamal's Utils::Sensitive): every way of turning it into text —
 * String(), template strings, JSON, util.inspect, pino — shows `[redacted: NAME from SOURCE]`. `reveal()` is
 * the one door, for the code that hands the value to a broker or a child process.
 */
import { inspect } from "node:util";

export class Secret {
  readonly #value: string;
  readonly name: string;
  readonly source: string;

  constructor(name: string, source: string, value: string) {
    this.name = name;
    // a source written with its value in it (`exec:echo s3cret`) must not carry the value into every marker
    this.source = value.length >= 4 && source.includes(value) ? source.slice(0, source.indexOf(":")) : source;
    this.#value = value;
    Object.freeze(this);
  }

  /** The value itself. Call it only where the value leaves the process for its real destination. */
  reveal(): string {
    return this.#value;
  }

  get redacted(): string {
    return `[redacted: ${this.name} from ${this.source}]`;
  }

  toString(): string {
    return this.redacted;
  }

  toJSON(): string {
    return this.redacted;
  }

  valueOf(): string {
    return this.redacted;
  }

  [Symbol.toPrimitive](): string {
    return this.redacted;
  }

  [inspect.custom](): string {
    return this.redacted;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
