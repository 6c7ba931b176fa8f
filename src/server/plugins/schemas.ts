/** Response schemas: the level-1 body is serialized by a compiled schema, which keeps `/health` cheap. */

export const level1Schema = {
  type: "object",
  required: ["status", "timestamp", "service", "execution_mode", "uptime_seconds", "system"],
  properties: {
    status: { type: "string" },
    timestamp: { type: "string" },
    service: { type: "string" },
    execution_mode: { type: "string" },
    uptime_seconds: { type: "number" },
    system: {
      type: "object",
      required: ["cpu_percent", "memory_percent", "memory_available_gb"],
      properties: {
        cpu_percent: { type: "number" },
        memory_percent: { type: "number" },
        memory_available_gb: { type: "number" },
      },
    },
    instance: {
      type: "object",
      properties: {
        workspace_id: { type: "string" },
        environment: { type: "string" },
        project: { type: "string" },
        release: { type: "string" },
        color: { type: "string" },
        config_hash: { type: "string" },
        pid: { type: "number" },
      },
    },
  },
} as const;
