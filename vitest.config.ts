import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // one PostgreSQL server per run, started only when a test asks for it (test/helpers/postgres.ts)
    globalSetup: ["test/helpers/postgres.ts"],
    // GitHub's workflow parser imports its schema JSON without an import attribute: let Vite load it
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
