// Which JavaScript runtime this is, read from globals (no node: import, so lang/ and tests may use it).

export type RuntimeName = "node" | "bun" | "deno";

/** The runtime executing this code. Bun and Deno also define `process`, so they are checked first. */
export function currentRuntime(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}
