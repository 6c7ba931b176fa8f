import assert from "node:assert/strict";
import { test } from "node:test";
import { roundToCents } from "../index.mjs";

test("rounds to cents", () => assert.equal(roundToCents(1.005 + 0.001), 1.01));
