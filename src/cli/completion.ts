/**
 * Shell completion computed by tradeops itself from the command tree and the workspace (cobra's `__complete`):
 * the shell scripts only pass the words typed so far, so commands, flags and values — environments and their
 * aliases, projects, modes, colours, release ids — are always those of this version and this workspace.
 */
import type { Command, Option } from "commander";
import { BUILTIN_ALIASES, ENVIRONMENTS } from "../environment/names.js";

/** What the values of an argument or flag are, when the grammar alone does not list them. */
export interface CompletionSources {
  environments(): string[];
  projects(): string[];
  /** release ids of a project's target in an environment (local targets only: a TAB never opens SSH) */
  releases(project: string | undefined, environment: string | undefined): Promise<string[]>;
}

interface Position {
  readonly command: Command;
  readonly positionals: string[];
  readonly values: Map<string, string>;
  /** the option whose value is being typed */
  readonly pendingOption?: Option;
}

function findOption(command: Command, word: string): Option | undefined {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = c.options.find((o) => o.long === word || o.short === word);
    if (found) return found;
  }
  return undefined;
}

const takesValue = (o: Option) => o.required || o.optional;

/** Where the words typed so far (without the program name and the word being typed) leave the parser. */
function locate(program: Command, words: readonly string[]): Position {
  let command = program;
  const positionals: string[] = [];
  const values = new Map<string, string>();
  let pending: Option | undefined;
  let afterDashes = false;
  for (const word of words) {
    if (pending) {
      values.set(pending.attributeName(), word);
      pending = undefined;
      continue;
    }
    if (afterDashes) {
      positionals.push(word);
      continue;
    }
    if (word === "--") {
      afterDashes = true;
      continue;
    }
    if (word.startsWith("-")) {
      const [flag, inline] = word.split("=", 2);
      const option = findOption(command, flag!);
      if (option && takesValue(option)) {
        if (inline === undefined) pending = option;
        else values.set(option.attributeName(), inline);
      }
      continue;
    }
    const sub = positionals.length ? undefined : command.commands.find((c) => c.name() === word);
    if (sub) command = sub;
    else positionals.push(word);
  }
  return { command, positionals, values, ...(pending ? { pendingOption: pending } : {}) };
}

/** The environment named on the line (`--env`, or `deploy P to ENV`), for values that depend on it. */
function environmentOnLine(position: Position): string | undefined {
  return position.values.get("env") ?? position.positionals.find((w) => w !== "to" && isEnvironmentWord(w));
}

const isEnvironmentWord = (w: string) =>
  (ENVIRONMENTS as readonly string[]).includes(w) || Object.hasOwn(BUILTIN_ALIASES, w);

function optionValues(option: Option, position: Position, sources: CompletionSources): string[] | Promise<string[]> {
  if (option.argChoices?.length) return [...option.argChoices];
  const name = option.attributeName();
  if (name === "env") return sources.environments();
  if (name === "to") {
    const command = position.command.name();
    if (command === "rollback") return sources.releases(position.positionals[0], environmentOnLine(position));
    if (command === "deploy" || command === "gates") return sources.environments();
    return [];
  }
  if (name === "release" && position.command.name() === "rollback")
    return sources.releases(position.positionals[0], environmentOnLine(position));
  if (name === "color") return ["blue", "green"];
  // files, directories, dates, numbers: the shell's own completion does better
  return [];
}

function argumentValues(position: Position, sources: CompletionSources): string[] {
  const { command, positionals } = position;
  const args = command.registeredArguments;
  const arg = args[Math.min(positionals.length, args.length - 1)];
  if (!arg || (positionals.length >= args.length && !arg.variadic)) return [];
  if (arg.argChoices?.length) return [...arg.argChoices];
  const name = arg.name();
  if (name === "project" || name === "projects") {
    const all = /`all`/.test(arg.description) ? ["all"] : [];
    return [...sources.projects(), ...all];
  }
  if (name === "to-env")
    return positionals.length === args.length - 1 ? ["to", ...sources.environments()] : sources.environments();
  if (name === "env") return sources.environments();
  return [];
}

/** The candidates for the word being typed (`current`), after `words`; no duplicates. */
export async function complete(
  program: Command,
  words: readonly string[],
  current: string,
  sources: CompletionSources,
): Promise<string[]> {
  const position = locate(program, words);
  let candidates: string[];
  if (position.pendingOption) candidates = await optionValues(position.pendingOption, position, sources);
  else if (current.startsWith("-")) {
    const options: Option[] = [];
    for (let c: Command | null = position.command; c; c = c.parent) options.push(...c.options);
    candidates = options.flatMap((o) => (o.long ? [o.long] : [])).filter((o) => o !== "--version" || !words.length);
  } else if (!position.positionals.length && position.command.commands.length) {
    candidates = position.command.commands.filter((c) => !(c as { _hidden?: boolean })._hidden).map((c) => c.name());
  } else candidates = argumentValues(position, sources);
  return [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
}

/** The script a shell sources; it asks `tradeops __complete` for every TAB. */
export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  if (shell === "fish") {
    return `# tradeops completion for fish (generated by \`tradeops completion fish\`)
function __tradeops_complete
    set -l words (commandline -opc)
    tradeops __complete $words[2..-1] -- (commandline -ct) 2>/dev/null
end
complete -c tradeops -f -a '(__tradeops_complete)'
`;
  }
  if (shell === "zsh") {
    return `#compdef tradeops
# tradeops completion for zsh (generated by \`tradeops completion zsh\`)
_tradeops() {
  local -a candidates
  candidates=("\${(@f)$(tradeops __complete "\${(@)words[2,CURRENT-1]}" -- "\${words[CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _tradeops tradeops
`;
  }
  return `# tradeops completion for bash (generated by \`tradeops completion bash\`)
_tradeops() {
  local IFS=$'\\n'
  COMPREPLY=( $(tradeops __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" -- "\${COMP_WORDS[COMP_CWORD]}" 2>/dev/null) )
}
complete -F _tradeops tradeops
`;
}
