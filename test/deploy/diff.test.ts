import { describe, expect, it } from "vitest";
import { addedLines, findRefused } from "../../src/deploy/diff.js";

const DIFF = `diff --git a/alpine-backend/server.mjs b/alpine-backend/server.mjs
index 1111111..2222222 100644
--- a/alpine-backend/server.mjs
+++ b/alpine-backend/server.mjs
@@ -3,0 +4,2 @@ import { createServer } from "node:http";
+const a = 1; // TODO remove
+console.log("x");
@@ -10 +12 @@ const server = createServer((req, res) => {
-  old();
+  debugger;
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-console.log("removed lines never count")
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
diff --git "a/odd name.js" "b/odd name.js"
--- "a/odd name.js"
+++ "b/odd name.js"
@@ -0,0 +1 @@
+// FIXME
`;

describe("added lines of a diff", () => {
  it("gives each added line with its file and new line number, and nothing else", () => {
    expect(addedLines(DIFF)).toEqual([
      { file: "alpine-backend/server.mjs", line: 4, text: "const a = 1; // TODO remove" },
      { file: "alpine-backend/server.mjs", line: 5, text: 'console.log("x");' },
      { file: "alpine-backend/server.mjs", line: 12, text: "  debugger;" },
      { file: "odd name.js", line: 1, text: "// FIXME" },
    ]);
  });

  it("finds refused patterns by file and line, one finding per line, never echoing the line", () => {
    const findings = findRefused(addedLines(DIFF), ["console\\.log", "\\bdebugger\\b", "\\bTODO\\b", "\\bFIXME\\b"]);
    expect(findings).toEqual([
      { file: "alpine-backend/server.mjs", line: 4, pattern: "\\bTODO\\b" },
      { file: "alpine-backend/server.mjs", line: 5, pattern: "console\\.log" },
      { file: "alpine-backend/server.mjs", line: 12, pattern: "\\bdebugger\\b" },
      { file: "odd name.js", line: 1, pattern: "\\bFIXME\\b" },
    ]);
  });

  it("does not flag words that only contain a pattern", () => {
    expect(
      findRefused(addedLines("+++ b/a.js\n@@ -0,0 +1 @@\n+const TODOS = debuggerless;\n"), [
        "\\bTODO\\b",
        "\\bdebugger\\b",
      ]),
    ).toEqual([]);
  });
});
