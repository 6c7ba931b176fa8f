/** Credential shapes refused in committed files whatever key they sit under, and the entropy of a value. */
export const KNOWN_SECRET_SHAPES: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: "Alpaca key id", pattern: /\b(PK|AK)[0-9A-Z]{18}\b/ },
  { name: "Stripe secret key", pattern: /\bsk_(live|test)_[0-9A-Za-z]{16,}\b/ },
  { name: "private key block", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** Shannon entropy in bits per character: random keys score above ~3.5, words and placeholders below. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Key names that are treated as secrets whatever the schema says. */
const SECRET_NAME = /(secret|password|passwd|passphrase|token|api_?key|private_?key|credential|signing_?key)/i;

export function isSecretLikeKey(key: string): boolean {
  const last = key.split(".").pop() ?? key;
  return SECRET_NAME.test(last);
}

/** Placeholders that stand for a value provided elsewhere. */
const PLACEHOLDER = /^(FROM_[A-Z0-9_]+|CHANGE_?ME|REPLACE_?ME|PLACEHOLDER|REDACTED|<[^>]*>|\$\{[^}]+\}|\*+)?$/i;

export function isPlaceholder(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && PLACEHOLDER.test(value.trim()));
}
