// The values of literal tokens: string escapes and number-with-unit images. Shared by both parsers.

/** Decodes a string literal's escapes (\" \\ \n \t); unknown escapes keep their character. */
export function unquote(image: string, terminated: boolean): string {
  const body = terminated ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(.)?/g, (_, c: string | undefined) =>
    c === "n" ? "\n" : c === "t" ? "\t" : c === undefined ? "" : c,
  );
}

/** Splits `512MB`, `1.5 s`, `-3` into a value and a unit. */
export function splitQuantity(image: string): { value: number; unit: string | null } {
  const match = /^(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$/.exec(image);
  if (!match) return { value: Number.NaN, unit: null };
  return { value: Number(match[1]), unit: match[2] ? match[2] : null };
}
