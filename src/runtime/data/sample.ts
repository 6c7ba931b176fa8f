/**
 * The embedded sample data: daily S&P 500 bars, 2000-01-03 to 2020-04-17, read from the `vega-datasets`
 * package in node_modules (never copied into a repository). It is an index, not a tradable symbol: it stands
 * in for the symbol a strategy trades (SPY in the example desk), at index prices.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TroError } from "../../errors.js";

export const SAMPLES = {
  sp500: {
    file: "data/sp500-2000.csv",
    description: "S&P 500 index level, daily closes, 2000-01-03 to 2020-04-17",
    /** what the bars are, shown next to the symbol they stand in for */
    label: "S&P 500 index level (daily)",
  },
} as const;

export type SampleName = keyof typeof SAMPLES;

/**
 * The file behind a sample name.
 * @throws TroError TRO_ERR_DATA_SOURCE for an unknown sample or a missing vega-datasets package
 */
export function samplePath(name: string): string {
  const sample = SAMPLES[name as SampleName];
  if (!sample) {
    throw new TroError("TRO_ERR_DATA_SOURCE", `There is no sample data set named "${name}".`, {
      hint: `Known samples: ${Object.keys(SAMPLES).join(", ")}.`,
    });
  }
  try {
    const entry = createRequire(import.meta.url).resolve("vega-datasets");
    return join(dirname(entry), "..", sample.file);
  } catch (cause) {
    throw new TroError("TRO_ERR_DATA_SOURCE", "The vega-datasets package that holds the sample data is missing.", {
      cause,
      hint: "Run `npm install` in the tradeops package.",
    });
  }
}
