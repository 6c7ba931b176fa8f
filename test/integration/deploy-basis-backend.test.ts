/**
 * Basis's backend, its code unchanged (it reads BASIS_* and never sources a file), deployed twice and rolled back
 * on a local and an SSH target (test/helpers/basis-shop.ts): env.unified + .env.dev and the exchange key from AWS
 * Secrets Manager reach each release as its commit had them; the key is never in an output or a record.
 */
import { describe, it } from "vitest";
import { fakeAwsForFile } from "../helpers/aws-server.js";
import { basisScenario } from "../helpers/basis-shop.js";
import { sshdForFile } from "../helpers/sshd.js";

const aws = fakeAwsForFile();
const sshd = sshdForFile();

describe("Basis's backend deployed with its dotenv layers", () => {
  it("on a local target twice and back", async () => {
    await basisScenario(aws(), "local");
  }, 60_000);

  it("on an SSH target twice and back", async () => {
    await basisScenario(aws(), sshd().host, sshd().clientConfig);
  }, 60_000);
});
