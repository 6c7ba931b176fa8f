import { describe, expect, it } from "vitest";
import { Output } from "../../src/cli/io.js";
import { createLogRenderer } from "../../src/cli/render/logs.js";

function rendered(lines: { service: string; stream: "out" | "err"; line: string }[]): string {
  let text = "";
  const write = (t: string) => (text += t);
  const out = new Output(
    { stdout: { write }, stderr: { write }, env: {}, cwd: "/" },
    { json: false, quiet: false, verbose: false, color: false },
  );
  const render = createLogRenderer(out, { raw: false, labels: false, width: 0 });
  for (const entry of lines) render(entry);
  return text;
}

describe("log lines for people", () => {
  it("a JSON line a Python or Node service prints (no pino time or level) is shown as it is, not indented", () => {
    expect(rendered([{ service: "pulse", stream: "out", line: '{"event": "start", "token_present": true}' }])).toBe(
      '{"event":"start","token_present":true}\n',
    );
  });
  it("a pino line keeps its time and level in front", () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 5, 12), msg: "listening" });
    expect(rendered([{ service: "api", stream: "out", line }])).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*listening\n$/,
    );
  });
});
