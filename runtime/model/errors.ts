// The one error class model splitting throws for bad input: a one-line message and a stable code.

/**
 * A model the splitter cannot use (corrupt file, unsupported operator, missing shape, ...).
 * `message` is one line that says what and where; `code` lets tests and the CLI match it.
 */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly code:
      | "E_MODEL_FILE"
      | "E_MODEL_GRAPH"
      | "E_EXTERNAL_DATA"
      | "E_SHAPE"
      | "E_UNSUPPORTED_OP"
      | "E_CAP"
      | "E_OPTION"
      | "E_INPUT"
      | "E_CACHE"
      | "E_DISK_SPACE"
      | "E_TOO_LARGE",
  ) {
    super(message);
    this.name = "ModelError";
  }
}
