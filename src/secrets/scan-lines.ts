/**
 * The rules of `secrets scan` applied to lines rather than files, for the pre-commit hook (it reads only what is
 * staged): known credential shapes anywhere, high-entropy values assigned to secret-looking keys. Kept free of
 * heavy imports so that the hook starts fast.
 */
import { entropy, isPlaceholder, isSecretName, KNOWN_SECRET_SHAPES } from "../validation/secret-shapes.js";

export interface ScanFinding {
  readonly file: string;
  readonly line: number;
  readonly key?: string;
  readonly kind: string;
  /** a hint of the value that cannot be used: first two characters and length */
  readonly masked: string;
}

/** Random keys have more than ~3.5 bits per character; words and placeholders far less. */
export const ENTROPY_THRESHOLD = 3.5;
export const MIN_SECRET_LENGTH = 16;

export function mask(value: string): string {
  return `${value.slice(0, 2)}… (${value.length} characters)`;
}

/** One added line of a staged diff. */
export interface AddedLine {
  readonly line: number;
  readonly text: string;
}

const ASSIGNMENT = /^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?([^"'\s,#]+)["']?\s*,?\s*(?:#.*)?$/;

export function scanAddedLines(file: string, lines: readonly AddedLine[]): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const { line, text } of lines) {
    const shape = KNOWN_SECRET_SHAPES.find((s) => s.pattern.test(text));
    if (shape) {
      findings.push({ file, line, kind: shape.name, masked: mask(text.match(shape.pattern)![0]) });
      continue;
    }
    const m = text.match(ASSIGNMENT);
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (!isSecretName(key) || isPlaceholder(value) || value.length < MIN_SECRET_LENGTH) continue;
    if (entropy(value) >= ENTROPY_THRESHOLD)
      findings.push({ file, line, key, kind: "high-entropy value under a secret-looking key", masked: mask(value) });
  }
  return findings;
}
