/** The part of pg-copy-streams (which ships no types) the signal store uses: a CommonJS module, imported whole. */
declare module "pg-copy-streams" {
  import type { Readable, Writable } from "node:stream";
  import type { Submittable } from "pg";

  const streams: {
    /** COPY … TO STDOUT: the rows the server sends */
    to(text: string): Readable & Submittable;
    /** COPY … FROM STDIN: what is written goes to the server; `finish` once it is stored, `destroy` fails it */
    from(text: string): Writable & Submittable;
  };
  export default streams;
}
