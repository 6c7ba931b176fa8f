/**
 * Last line of defence for output and records: every value known to be secret is replaced before text leaves the
 * process or lands in a file, whatever path it took (an error from a library, a child's message, a debug dump) and
 * whichever common encoding carried it (base64 at any byte alignment, base64url, URL encoding, JSON escaping).
 */

/** Encoded forms shorter than this are too likely to occur by chance to be replaced. */
const MIN_FORM_LENGTH = 6;

/** The spellings under which a secret commonly travels: the value itself and its encodings. */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(encodeURIComponent(value));
  forms.add(encodeURIComponent(value).replace(/%20/g, "+"));
  forms.add(escape(value));
  const bytes = Buffer.from(value, "utf8");
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64url"));
  // inside a longer encoded text the secret may start at any of three byte offsets: the characters that depend
  // only on the secret's bytes are the same whatever surrounds it
  for (const offset of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const total = padded.length;
    const skip = offset === 0 ? 0 : offset + 1;
    const full = Math.floor((total * 8) / 6); // characters fully determined by known bits
    for (const alphabet of ["base64", "base64url"] as const) {
      const text = padded.toString(alphabet).replace(/=+$/, "");
      const inner = text.slice(skip, full);
      if (inner.length >= MIN_FORM_LENGTH) forms.add(inner);
    }
  }
  return [...forms].filter((f) => f === value || f.length >= MIN_FORM_LENGTH);
}

export class SecretScrubber {
  readonly #values = new Map<string, string>();
  #forms: [string, string][] | undefined;

  /** Remembers a secret value; values shorter than 4 characters are too common to scrub safely. */
  add(value: string, label: string): void {
    if (value.length < 4 || this.#values.has(value)) return;
    // the label lands inside JSON records too: no quote or backslash in it
    this.#values.set(value, label.includes(value) ? "secret" : label.replace(/["\\]/g, "'"));
    this.#forms = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (!this.#values.size) return text;
    let out = text;
    // longest first, so a secret that contains another is replaced whole
    for (const [form, label] of this.#allForms()) {
      if (out.includes(form)) out = out.split(form).join(`[redacted: ${label}]`);
    }
    return out;
  }

  /** True when the text carries a known secret in any of its forms. */
  leaks(text: string): boolean {
    return this.#allForms().some(([form]) => text.includes(form));
  }

  #allForms(): [string, string][] {
    if (!this.#forms) {
      const forms = new Map<string, string>();
      for (const [value, label] of this.#values)
        for (const form of encodedForms(value)) if (!forms.has(form)) forms.set(form, label);
      this.#forms = [...forms].sort((a, b) => b[0].length - a[0].length);
    }
    return this.#forms;
  }
}
