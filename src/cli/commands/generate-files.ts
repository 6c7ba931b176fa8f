/** `tradeops generate github-actions|compose|kubernetes|all [--out DIR] [--check]`: write, print or check for drift. */
import { relative, resolve } from "node:path";
import type { EnvironmentName } from "../../environment/names.js";
import { canonicalEnvironment } from "../../environment/names.js";
import { EXIT, TroError } from "../../errors.js";
import { findDrift, type GeneratorName, generateFiles, secretsWithoutEnv, writeFiles } from "../../generate/all.js";
import { openFromRun } from "../context.js";
import type { Handler } from "../program.js";

export const generateFilesCommand =
  (which: GeneratorName | "all"): Handler =>
  async (run) => {
    const ctx = openFromRun(run);
    const { workspace } = ctx;
    // these files are for a target environment, not the machine generating them: production unless --env says
    const environment: EnvironmentName = run.globals.env
      ? (canonicalEnvironment(run.globals.env, workspace.detect.aliases) ?? ctx.environment)
      : "production";
    const defaultOut = which === "all" ? "deploy" : undefined;
    const outOption = (run.opts.out as string | undefined) ?? defaultOut;
    if (run.opts.check && !outOption)
      throw new TroError("TRO_ERR_USAGE", "--check needs --out DIR: the directory the files were committed to.");
    const outDir = outOption ? resolve(run.io.cwd, outOption) : undefined;
    const files = await generateFiles(which, {
      workspace,
      environment,
      out: outDir ? relative(workspace.root, outDir) || "." : ".",
      imagePrefix: run.opts.imagePrefix as string | undefined,
      namespace: run.opts.namespace as string | undefined,
    });
    if (run.opts.check) {
      const drift = findDrift(outDir!, files);
      if (run.globals.json) run.out.json({ ok: !drift.length, out: outDir, files: files.map((f) => f.path), drift });
      if (drift.length) {
        throw new TroError(
          "TRO_ERR_GENERATED_DRIFT",
          `${drift.length} generated file(s) in ${outOption} are out of date.`,
          {
            problems: drift.map((d) => ({ file: `${outOption}/${d.path}`, message: d.problem })),
            hint: `Run \`tradeops generate ${which}${outOption ? ` --out ${outOption}` : ""}\` and commit the result.`,
          },
        );
      }
      if (!run.globals.json) run.out.info(`${files.length} generated file(s) in ${outOption} are up to date.`);
      return EXIT.ok;
    }
    // printed or written, a secret the container cannot read is said (on standard error: the files stay clean)
    if (which !== "github-actions")
      for (const s of secretsWithoutEnv(workspace, environment))
        run.out.warn(
          `${s} has no env: source in ${environment}: add one so that the value the container is given is read`,
        );
    if (!outDir) {
      if (run.globals.json) run.out.json({ environment, files });
      else
        run.out.line(
          files
            .map((f) => (files.length > 1 ? `# --- ${f.path}\n${f.text}` : f.text))
            .join("\n")
            .trimEnd(),
        );
      return EXIT.ok;
    }
    const written = writeFiles(outDir, files);
    if (run.globals.json) run.out.json({ environment, out: outDir, written });
    else for (const path of written) run.out.info(`wrote ${relative(run.io.cwd, path) || path}`);
    return EXIT.ok;
  };
