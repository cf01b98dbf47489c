// Skipping a test from inside it, counted as skipped on every runtime. Node and Bun count `t.skip()`; Deno's
// node:test counts such a test as passed, so under Deno a line goes to stdout that scripts/test.sh counts
// (and moves from passed to skipped). A condition known before the test runs goes in its `{ skip }` option
// instead, which every runtime counts (Deno as "ignored").
import type { TestContext } from "node:test";

/** The line scripts/test.sh looks for under Deno. */
export const SKIP_MARK = "mema-test: skipped at run time:";

/** `t.skip(reason)`, counted as skipped under Deno too. Use as `return skipTest(t, "why")`. */
export function skipTest(t: TestContext, reason: string): void {
  if ((globalThis as { Deno?: unknown }).Deno) console.log(`${SKIP_MARK} ${t.name} (${reason})`);
  t.skip(reason);
}
