// The documented bounds on what a document may ask for (grammar.md, "Limits"): fixed numbers, the same on
// every machine, so that a file valid here is valid everywhere. They keep a mistyped count from starting a
// hundred thousand threads or materialising a billion arrivals.

/** Execution workers of one run (`workers`, and `--workers`). */
export const MAX_WORKERS = 64;
/** onnxruntime threads of one session (`session { intraOpNumThreads, interOpNumThreads }`). */
export const MAX_SESSION_THREADS = 256;
/**
 * Arrivals of a pipeline: batch rounds, `count`, the gaps of a `times` list. Measured here (2 cores, Node 20),
 * `mema run --simulate` of one network: 2,000 arrivals 6 s and 190 MB, 10,000 arrivals 99 s and 370 MB
 * (its cost grows faster than linearly); 100,000 passed 1.9 GB within two minutes. Arrivals are drawn one
 * at a time (runtime/schedule/arrivals.ts, arrivalStream), but a run still holds every one: the step graph,
 * the engine's per-step arrays and the report's steps and networks grow with the arrivals (about 7 KB per
 * arrival of one AgeNet, apart from the policy's own cost), so the bound holds for --simulate too.
 */
export const MAX_ARRIVALS = 10_000;
/** Networks drawn per arrival (`pick N`). */
export const MAX_PICK = 1_000;
/** Network instances one run requests: arrivals times the networks requested at each (10,000 simulate in ~1 min, 340 MB). */
export const MAX_INSTANCES = 20_000;
/** Seeds are 32-bit (runtime/schedule/random.ts): a larger one would silently wrap around. */
export const MAX_SEED = 2 ** 32 - 1;
/** Elements of one input tensor given in `shapes` (2^30: 4 GiB of float32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 30;
/** Runs of one pipeline's sweep (the product of its memory, policy and workers lists). */
export const MAX_SWEEP_RUNS = 10_000;
/** The largest size (2^53 - 1 bytes, just under 8388608GiB): sizes are whole bytes in a double. */
export const MAX_SIZE_BYTES = Number.MAX_SAFE_INTEGER;
/** The longest duration: 10^9 ms = 1000000s (about 11.6 days). */
export const MAX_DURATION_MS = 1e9;
/** Brackets, braces and pipeline blocks nested in one another. */
export const MAX_NESTING = 64;
/** The largest source file read (a .mema, .yaml or .json file, or an import): 4 MiB. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** Diagnostics printed per file; the rest are counted. */
export const MAX_SHOWN_DIAGNOSTICS = 100;
/** Columns of a source line shown under a diagnostic; a longer line is cut around the caret. */
export const EXCERPT_COLUMNS = 120;
/** Characters of a diagnostic's message shown; a longer one (a huge quoted name) is cut. */
export const MESSAGE_CHARS = 400;
