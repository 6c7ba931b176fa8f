/**
 * Where the console's credentials come from: the token from `TRADEOPS_CONSOLE_TOKEN` (or the control token,
 * `TRADEOPS_CONTROL_TOKEN`), basic auth from `TRADEOPS_CONSOLE_USER` and a bcrypt hash in
 * `TRADEOPS_CONSOLE_PASSWORD_HASH` — the password itself is never configured anywhere.
 */
import { TroError } from "../../errors.js";
import { CONTROL_TOKEN_VARIABLE } from "../../runtime/control-token.js";
import { Secret } from "../../secrets/secret.js";
import type { BaseEnv, BasicCredentials } from "./context.js";

export const CONSOLE_TOKEN_VARIABLE = "TRADEOPS_CONSOLE_TOKEN";
export const CONSOLE_USER_VARIABLE = "TRADEOPS_CONSOLE_USER";
export const CONSOLE_HASH_VARIABLE = "TRADEOPS_CONSOLE_PASSWORD_HASH";

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export interface ConsoleCredentials {
  readonly token?: Secret;
  readonly basic?: BasicCredentials;
}

/** The console's credentials from the environment. @throws TroError TRO_ERR_CONFIG_INVALID for a hash that is not bcrypt */
export function consoleCredentials(env: BaseEnv): ConsoleCredentials {
  const tokenName = env[CONSOLE_TOKEN_VARIABLE] ? CONSOLE_TOKEN_VARIABLE : CONTROL_TOKEN_VARIABLE;
  const tokenValue = env[tokenName];
  const hash = env[CONSOLE_HASH_VARIABLE];
  if (hash && !BCRYPT.test(hash)) {
    throw new TroError("TRO_ERR_CONFIG_INVALID", `${CONSOLE_HASH_VARIABLE} is not a bcrypt hash.`, {
      hint: "Set it to the output of `npx bcrypt PASSWORD` ($2b$…, 60 characters), never to the password.",
    });
  }
  return {
    ...(tokenValue ? { token: new Secret(tokenName, `env:${tokenName}`, tokenValue) } : {}),
    ...(hash ? { basic: { user: env[CONSOLE_USER_VARIABLE] || "operator", hash } } : {}),
  };
}
