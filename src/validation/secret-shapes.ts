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

/** `*_KEY`, `*_SECRET`, `*_TOKEN`, `*_PASSWORD`, `*_PASS`, `*_PWD`, `*_DSN`, `*_CREDENTIALS`: variables named as secrets. */
const SECRET_VARIABLE = /(^|_)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|DSN|CREDENTIALS?)$/i;
/** Names that say the value is public: a publishable key, a key's id or path, a sort key. */
const PUBLIC_NAME =
  /(^|_)(PUBLIC|PUBLISHABLE|PUB)_|(^|_)(SORT|PARTITION|CACHE|PRIMARY|FOREIGN|HOT)_?KEY$|_(FILE|PATH)$/i;
/** Connection strings that usually carry a password. */
const CONNECTION_URL =
  /(^|_)(DATABASE|DB|POSTGRES(QL)?|PG|MYSQL|MONGO(DB)?|REDIS|AMQP|RABBITMQ|BROKER|CELERY_BROKER)_URL$/i;

/**
 * A variable or key named like a secret (`QUOTE_VENDOR_KEY`, `db_pass`, `accessKey`, `DATABASE_URL`), unless its
 * name says it is public or a path: the one rule `init` proposes secrets by and `secrets scan` and the pre-commit
 * hook look for literal ones by.
 */
export function isSecretName(name: string, options: { readonly urls?: boolean } = {}): boolean {
  // camelCase config keys read as words: accessKey → access_Key, dbPass → db_Pass
  const last = (name.split(".").pop() ?? name).replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  if (PUBLIC_NAME.test(last)) return false;
  // a connection URL only usually holds a password: `urls: false` leaves it to its value
  const url = options.urls !== false && CONNECTION_URL.test(last);
  return isSecretLikeKey(last) || SECRET_VARIABLE.test(last) || url;
}

/** Placeholders that stand for a value provided elsewhere. */
const PLACEHOLDER = /^(FROM_[A-Z0-9_]+|CHANGE_?ME|REPLACE_?ME|PLACEHOLDER|REDACTED|<[^>]*>|\$\{[^}]+\}|\*+)?$/i;

export function isPlaceholder(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === "string" && PLACEHOLDER.test(value.trim()));
}
