/**
 * Last line of defence for output: every value known to be secret is replaced before text leaves the
 * process, whatever path it took (an error from a library, a child's message, a debug dump).
 */
export class SecretScrubber {
  readonly #values = new Map<string, string>();

  /** Remembers a secret value; values shorter than 4 characters are too common to scrub safely. */
  add(value: string, label: string): void {
    if (value.length >= 4) this.#values.set(value, label.includes(value) ? "secret" : label);
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (!this.#values.size) return text;
    let out = text;
    // longest first, so a secret that contains another is replaced whole
    for (const [value, label] of [...this.#values].sort((a, b) => b[0].length - a[0].length)) {
      if (out.includes(value)) out = out.split(value).join(`[redacted: ${label}]`);
    }
    return out;
  }
}
