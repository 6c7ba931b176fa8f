/** The part of pg-copy-streams (which ships no types) that verify uses: a CommonJS module, imported whole. */
declare module "pg-copy-streams" {
  import type { Readable } from "node:stream";
  import type { Submittable } from "pg";

  const streams: { to(text: string): Readable & Submittable };
  export default streams;
}
