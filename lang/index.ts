// The language's public face: parse, check and compile .mema text (or YAML/JSON, chosen by file name).
import type { MemaDocument } from "./ast.ts";
import { check as checkMema, type CompileOptions, type CompileResult, compile as compileMema } from "./compile.ts";
import { checkConfig, compileConfig, isConfigFile } from "./config.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { parse as parseText } from "./parse.ts";

export { format, type FormatResult } from "./format.ts";
export { type Diagnostic, renderDiagnostic, renderDiagnostics } from "./diagnostics.ts";
export { type SourceHost, memoryHost } from "./host.ts";
export { type Catalog, defaultCatalog, extendCatalog } from "./catalog.ts";
export { memaSchema, planSchema, configSchema } from "./schema.ts";
export { isConfigFile } from "./config.ts";
export type { CompileOptions, CompileResult } from "./compile.ts";
export type * from "./ast.ts";
export { spanOf } from "./ast.ts";

/** Parses .mema text into its syntax tree (spans on nodes are non-enumerable: see spanOf). Never throws. */
export function parse(text: string, file = "<input>"): { ast?: MemaDocument; diagnostics: Diagnostic[] } {
  const { ast, diagnostics } = parseText(text, file);
  return ast ? { ast, diagnostics } : { diagnostics };
}

/** Checks a document: .mema text, or YAML/JSON when `options.file` ends in .yaml, .yml or .json. */
export function check(text: string, options: CompileOptions = {}): { diagnostics: Diagnostic[]; files: Map<string, string> } {
  return options.file && isConfigFile(options.file) ? checkConfig(text, options) : checkMema(text, options);
}

/** Compiles a document to its Plan (absent when there is any error). Never throws. */
export function compile(text: string, options: CompileOptions = {}): CompileResult {
  return options.file && isConfigFile(options.file) ? compileConfig(text, options) : compileMema(text, options);
}
