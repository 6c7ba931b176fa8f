import { expect, it } from "vitest";
import { SecretScrubber } from "../../src/logging/scrubber.js";

const SECRET = 'sk-live-Secret/Value+"quote" \\ end';

function scrubberWith(value = SECRET): SecretScrubber {
  const s = new SecretScrubber();
  s.add(value, "secret API_KEY from env:API_KEY");
  return s;
}

it("replaces the value itself, longest first", () => {
  const s = scrubberWith();
  s.add("sk-live", "short");
  expect(s.scrub(`key=${SECRET}.`)).toBe("key=[redacted: secret API_KEY from env:API_KEY].");
});

it("replaces the JSON-escaped, URL-encoded and form-encoded spellings", () => {
  const s = scrubberWith();
  for (const form of [
    JSON.stringify({ k: SECRET }),
    `https://x.test/?k=${encodeURIComponent(SECRET)}`,
    `k=${encodeURIComponent(SECRET).replace(/%20/g, "+")}`,
  ]) {
    const out = s.scrub(form);
    expect(out, form).toContain("[redacted:");
    expect(s.leaks(out), out).toBe(false);
  }
});

it("replaces base64 and base64url forms at every byte alignment inside longer encoded text", () => {
  const s = scrubberWith();
  for (const prefix of ["", "a", "ab", "abc", "abcd"]) {
    for (const suffix of ["", "z", "zz"]) {
      const raw = Buffer.from(`${prefix}${SECRET}${suffix}`);
      for (const text of [raw.toString("base64"), raw.toString("base64url")]) {
        expect(s.leaks(text), `${prefix}|${suffix}`).toBe(true);
        const out = s.scrub(`Authorization: Basic ${text}`);
        expect(out).toContain("[redacted:");
        // what is left cannot be decoded back into the secret
        expect(Buffer.from(out.split(" ").pop() ?? "", "base64").toString()).not.toContain(SECRET);
      }
    }
  }
});

it("leaves text without a secret alone and ignores values too short to scrub", () => {
  const s = scrubberWith("abc");
  expect(s.size).toBe(0);
  expect(s.scrub("abc abc")).toBe("abc abc");
  const t = scrubberWith();
  expect(t.scrub("nothing to see")).toBe("nothing to see");
});
