// The direction of imports between the folders (ARCHITECTURE.md, "What may import what"): lang/ is the
// language alone; runtime/ takes its plug-ins (stdlib/) as an object (runtime/plugins.ts) and imports only
// their types; stdlib/ builds on runtime/'s host adapters and model library, never on the engine it is
// plugged into. index.ts and cli/ are the top: they may import anything, and hand stdlib's plug-ins to the
// runtime. Every import statement of every source file is read (static, `export ... from`, dynamic
// `import("...")`); a broken rule fails naming the file and line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Import {
  line: number;
  specifier: string;
  /** `import type` / `export type`: erased from the JavaScript, so no module is loaded. */
  typeOnly: boolean;
}

/**
 * The imports of a source text. Static imports and re-exports start a line (as everywhere in this code);
 * dynamic ones may sit anywhere in a line of code (lines of comments are skipped).
 */
export function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const lineAt = (index: number) => text.slice(0, index).split("\n").length;
  const statement = /^(import|export)(\s+type)?\b([^;"'`]*?)\bfrom\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm;
  for (const m of text.matchAll(statement)) {
    if (m[5] !== undefined) found.push({ line: lineAt(m.index!), specifier: m[5], typeOnly: false });
    else found.push({ line: lineAt(m.index!), specifier: m[4]!, typeOnly: m[2] !== undefined });
  }
  text.split("\n").forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    for (const m of line.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push({ line: i + 1, specifier: m[1]!, typeOnly: false });
  });
  return found.sort((a, b) => a.line - b.line);
}

const NODE_BUILTINS = new Set(builtinModules);
const isNodeModule = (specifier: string) => specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0]!);

/** Where a relative import points, from the repository's root (`runtime/host/cache.ts`); undefined for a package. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return join(dirname(file), specifier).split(sep).join("/");
}

/**
 * What `file` (a path from the root) may not import, as one reason per broken rule.
 * lang/catalog.ts -> stdlib/names.ts is the one value import from stdlib/ outside the top: the checker needs
 * the built-in names (a data file that imports nothing, checked below) to validate `policy mema;` without
 * loading a plug-in, and a document may still name others through compile's `catalog`.
 */
export function violations(file: string, text: string): string[] {
  const out: string[] = [];
  const area = file.split("/")[0]!;
  for (const { line, specifier, typeOnly } of importsOf(text)) {
    const to = target(file, specifier);
    const toArea = to?.split("/")[0];
    const broken = (rule: string) => out.push(`${file}:${line}: imports '${specifier}': ${rule}`);
    if (toArea === "cli" || to === "index.ts") broken("only the top (cli/, index.ts) imports cli/ or index.ts");
    if (area === "lang") {
      if (isNodeModule(specifier)) broken("lang/ imports no node: module (it runs anywhere)");
      if (toArea === "runtime") broken("lang/ imports nothing from runtime/");
      if (toArea === "stdlib" && !(file === "lang/catalog.ts" && to === "stdlib/names.ts")) broken("lang/ imports nothing from stdlib/ (but catalog.ts's names)");
    }
    if (area === "runtime" && toArea === "stdlib" && !typeOnly) broken("runtime/ imports only types from stdlib/ (`import type`); plug-ins come in as a Plugins object (runtime/plugins.ts)");
    if (area === "stdlib" && toArea === "runtime" && !typeOnly && !/^runtime\/(host|model)\//.test(to!)) {
      broken("stdlib/ imports from runtime/ only types, or values of its host adapters (runtime/host/) and model library (runtime/model/)");
    }
    if (file === "stdlib/names.ts") broken("stdlib/names.ts imports nothing (lang/ reads it)");
    if (file.startsWith("stdlib/policies/") && isNodeModule(specifier)) broken("policies import no node: module (they run in the simulator anywhere)");
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.mts") ? [path] : [];
  });
}

test("the checker finds what each rule forbids, on the right line, and lets the allowed imports through", () => {
  const text = (...lines: string[]) => lines.join("\n");
  assert.deepEqual(
    violations("runtime/execute/x.ts", text(
      `// import("../../stdlib/zoo/index.ts") in a comment is no import`,
      `import type { DeviceProfile } from "../../stdlib/profiles/device-profile.ts";`,
      `import { policyByName } from "../../stdlib/policies/index.ts";`,
      `import {`,
      `  type Policy,`,
      `} from "../../stdlib/policies/index.ts";`,
      `export { zooInfo } from "../../stdlib/zoo/index.ts";`,
      `const zoo = await import("../../stdlib/zoo/index.ts");`,
      `import { cacheDir } from "../host/cache.ts";`,
    )).map((v) => v.split(": imports")[0]),
    ["runtime/execute/x.ts:3", "runtime/execute/x.ts:4", "runtime/execute/x.ts:7", "runtime/execute/x.ts:8"],
  );
  assert.deepEqual(violations("lang/x.ts", text(`import { readFileSync } from "node:fs";`, `import { join } from "path";`, `import type { Plan } from "../runtime/plugins.ts";`, `import { POLICIES } from "../stdlib/names.ts";`)).length, 4);
  assert.deepEqual(violations("lang/catalog.ts", `import { POLICIES } from "../stdlib/names.ts";`), []);
  assert.deepEqual(
    violations("stdlib/zoo/x.ts", text(`import { cacheDir } from "../../runtime/host/cache.ts";`, `import { ModelError } from "../../runtime/model/errors.ts";`, `import type { Step } from "../../runtime/schedule/graph.ts";`, `import { Engine } from "../../runtime/schedule/engine.ts";`)),
    [`stdlib/zoo/x.ts:4: imports '../../runtime/schedule/engine.ts': stdlib/ imports from runtime/ only types, or values of its host adapters (runtime/host/) and model library (runtime/model/)`],
  );
  assert.equal(violations("stdlib/policies/x.ts", `import { readFileSync } from "node:fs";`).length, 1);
  assert.equal(violations("runtime/x.ts", `import { main } from "../cli/main.ts";`).length, 1);
});

test("lang/, runtime/ and stdlib/ import in the allowed directions only", () => {
  const files = [...sources("lang"), ...sources("runtime"), ...sources("stdlib")];
  assert.ok(files.length > 100 && files.includes("runtime/execute/index.ts") && files.includes("runtime/host/session-worker.mjs"), `read ${files.length} files`);
  const broken = files.flatMap((file) => violations(file, readFileSync(join(ROOT, file), "utf8")));
  assert.deepEqual(broken, [], `\n${broken.join("\n")}`);
  // The checker reads what it must: the plug-ins' interface is imported, as a type, from stdlib/ by runtime/.
  const plugins = importsOf(readFileSync(join(ROOT, "runtime/plugins.ts"), "utf8"));
  assert.ok(plugins.some((i) => i.typeOnly && i.specifier === "../stdlib/profiles/devices.ts"));
});

test("tests skip from inside through test/skip.ts's skipTest (Deno counts a bare t.skip() as passed)", () => {
  const direct = sources("test")
    .filter((file) => file !== "test/skip.ts" && file !== "test/architecture.test.ts")
    .flatMap((file) => readFileSync(join(ROOT, file), "utf8").split("\n").flatMap((line, i) => (/\bt\.skip\(/.test(line) ? [`${file}:${i + 1}`] : [])));
  assert.deepEqual(direct, [], `call skipTest(t, reason) instead of t.skip(reason) at ${direct.join(", ")}`);
});
