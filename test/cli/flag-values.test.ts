// Flag values: sizes, integers, numbers and lists, each refused in one line naming the flag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../cli/command.ts";
import { parseInteger, parseList, parseNumber, parseSize } from "../../cli/flag-values.ts";

test("sizes take the language's units; a bare number is bytes", () => {
  assert.equal(parseSize("cap", "64MiB"), 64 * 1024 * 1024);
  assert.equal(parseSize("cap", "1.5 MB"), 1_500_000);
  assert.equal(parseSize("cap", "100"), 100);
  assert.equal(parseSize("cap", undefined), undefined);
  assert.throws(() => parseSize("cap", "12 parsecs"), (e: UsageError) => e.code === "E_OPTION" && /--cap '12 parsecs': expected a size/.test(e.message));
  assert.throws(() => parseSize("cap", "-5MB"), UsageError);
});

test("integers: whole, at least the minimum; 1.5, '', 0 for a count are refused", () => {
  assert.equal(parseInteger("runs", "3", 1, 5), 3);
  assert.equal(parseInteger("runs", undefined, 1, 5), 5);
  assert.equal(parseInteger("seed", undefined, 0), undefined);
  assert.equal(parseInteger("seed", "0", 0), 0);
  assert.throws(() => parseInteger("runs", "0", 1), /--runs '0': expected a positive integer/);
  assert.throws(() => parseInteger("seed", "1.5", 0), /--seed '1.5': expected an integer >= 0/);
  assert.throws(() => parseInteger("seed", "", 0), UsageError);
});

test("numbers are finite and non-negative; lists are non-empty", () => {
  assert.equal(parseNumber("tolerance", "1e-6", 0), 1e-6);
  assert.equal(parseNumber("tolerance", undefined, 0), 0);
  assert.throws(() => parseNumber("tolerance", "abc", 0), /--tolerance 'abc': expected a non-negative number/);
  assert.throws(() => parseNumber("tolerance", " ", 0), UsageError);
  assert.deepEqual(parseList("policy", "mema, bulk,"), ["mema", "bulk"]);
  assert.equal(parseList("policy", undefined), undefined);
  assert.throws(() => parseList("memory", ","), /--memory ',': expected a comma-separated list/);
});
