// The plain loops a run can be compared with (runtime/execute/baseline.ts), named without loading it.
/** naive: the model file as given, a session per arrival; careful: external-data files, a session per arrival; resident: external-data sessions kept. */
export type BaselineKind = "naive" | "careful" | "resident";
export const BASELINE_KINDS: readonly BaselineKind[] = ["naive", "careful", "resident"];
