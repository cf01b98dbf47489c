// chevrotain's runtime values, from the single-file bundle the package ships (lib/chevrotain.mjs) rather than
// its entry point (lib/src/api.js), which imports lodash-es as 600-odd separate modules. Measured (Node 20,
// import alone): +32 MiB of RSS and ~400 ms through the entry, +4 MiB and ~30 ms through the bundle; under tsx,
// whose loader hooks every module, lang/tokens.ts cost +53 MiB and ~890 ms. Same version, same code.
// The package's `exports` only names ".", so the bundle is found next to the resolved entry; if a later
// chevrotain moves it, the entry point is used. Types still come from "chevrotain" (its .d.ts).
import type * as Chevrotain from "chevrotain";

async function load(): Promise<typeof Chevrotain> {
  let bundle: string | undefined;
  try {
    bundle = new URL("../chevrotain.mjs", import.meta.resolve("chevrotain")).href;
  } catch {
    // No import.meta.resolve here: the entry point.
  }
  if (bundle !== undefined) {
    try {
      return (await import(bundle)) as typeof Chevrotain;
    } catch {
      // Not there in this version: the entry point.
    }
  }
  return await import("chevrotain");
}

export const { createToken, Lexer, CstParser, EOF } = await load();
