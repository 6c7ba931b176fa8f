/** POSIX shell quoting, for the one place an argv must become a line: the command SSH hands to the remote shell. */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as the remote shell will read it back, unchanged. */
export function quote(arg: string): string {
  if (arg === "") return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell line, optionally run in a directory with extra variables. */
export function shellLine(
  argv: readonly string[],
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> } = {},
): string {
  const parts: string[] = [];
  if (options.cwd) parts.push(`cd ${quote(options.cwd)} &&`);
  const vars = Object.entries(options.env ?? {});
  if (vars.length) parts.push("env", ...vars.map(([k, v]) => quote(`${k}=${v}`)));
  parts.push(...argv.map(quote));
  return parts.join(" ");
}
