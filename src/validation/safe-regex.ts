/**
 * Regular expressions written by users (a policy's refusePatterns, a config schema's `pattern`s) run through a
 * bounded check: a pattern whose nested repetition can backtrack exponentially (`(a+)+$`) is refused up front
 * (`safe-regex2`, star height and repetition count), and a pattern is only ever applied to a bounded input.
 * A linear-time engine (re2) would be better; it needs a native build these machines cannot do.
 */
import safeRegex from "safe-regex2";

/** Text longer than this is cut before a user pattern sees it. */
export const REGEX_INPUT_LIMIT = 4096;
/** Repetitions one pattern may hold. */
const REPETITION_LIMIT = 25;

/** Why a pattern cannot be used, or undefined when it can. */
export function regexProblem(pattern: string, flags = ""): string | undefined {
  try {
    new RegExp(pattern, flags);
  } catch {
    return "not a valid regular expression";
  }
  if (!safeRegex(pattern, { limit: REPETITION_LIMIT }))
    return "may take exponential time on some inputs (nested repetition such as (a+)+); rewrite it without a repetition inside a repetition";
  return undefined;
}

export interface BoundedRegExp {
  readonly source: string;
  readonly flags: string;
  test(text: string): boolean;
}

/** A checked pattern applied to at most REGEX_INPUT_LIMIT characters. @throws Error naming the pattern's problem */
export function boundedRegExp(pattern: string, flags = ""): BoundedRegExp {
  const problem = regexProblem(pattern, flags);
  if (problem) throw new Error(`pattern ${JSON.stringify(pattern)} is ${problem}`);
  const re = new RegExp(pattern, flags);
  return {
    source: pattern,
    flags,
    test: (text) => {
      re.lastIndex = 0;
      return re.test(text.length > REGEX_INPUT_LIMIT ? text.slice(0, REGEX_INPUT_LIMIT) : text);
    },
  };
}

/** The same, in the shape Ajv's `code.regExp` option takes. */
export const ajvRegExp = Object.assign((pattern: string, flags: string) => boundedRegExp(pattern, flags), {
  code: "boundedRegExp",
});
