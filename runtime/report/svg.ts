// Small SVG writing pieces shared by the timeline: escaping, coordinates, text, colours.

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** A coordinate with at most two decimals (smaller files, same picture). */
export function px(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Tableau 10: distinct hues that stay apart for most colour-blind readers and in greyscale print. */
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

function mix(hex: string, toward: number, amount: number): string {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return (
    "#" +
    channels
      .map((c) => Math.round(c + (toward - c) * amount))
      .map((c) => c.toString(16).padStart(2, "0"))
      .join("")
  );
}

export interface NetworkColour {
  /** Exec bars. */
  solid: string;
  /** Load bars' background. */
  tint: string;
  /** Init bars, free ticks, outlines. */
  dark: string;
}

/** The colour of the n-th network; past ten networks the hues repeat darker. */
export function networkColour(index: number): NetworkColour {
  const base = PALETTE[index % PALETTE.length] ?? "#777777";
  const solid = index < PALETTE.length ? base : mix(base, 0, 0.35 * Math.min(2, Math.floor(index / PALETTE.length)));
  return { solid, tint: mix(solid, 255, 0.6), dark: mix(solid, 0, 0.45) };
}

/** A rough text width for layout (no font metrics in a pure function): ~0.6 em per character. */
export function textWidth(text: string, fontPx: number): number {
  return text.length * fontPx * 0.6;
}

/** The font stack of every chart (system fonts only: the files carry no assets). */
export const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** What a chart's parts draw onto: the SVG elements so far, the time scale, the plot's edges, colours. */
export interface Canvas {
  out: string[];
  /** x of a time in ms. */
  x(ms: number): number;
  /** The plot area's left and right edges. */
  left: number;
  right: number;
  colours: Map<string, NetworkColour & { index: number }>;
  /** Prefix of element ids (unique per chart on a page). */
  id: string;
}

/** Appends a <text> element; `attrs` is raw attribute text. */
export function text(c: Canvas, x: number, y: number, content: string, attrs = ""): void {
  c.out.push(`<text x="${px(x)}" y="${px(y)}"${attrs ? " " + attrs : ""}>${escapeXml(content)}</text>`);
}
