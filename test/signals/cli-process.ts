/** The CLI as a real process, run from source through jiti (for follow mode and signal handling tests). */
import { main } from "../../src/cli/main.js";

await main();
