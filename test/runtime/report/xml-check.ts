// A strict little XML well-formedness checker for the timeline tests (no XML parser among the dependencies):
// balanced tags, quoted attributes, no raw `<` or bare `&` in text or values, one root. Returns the elements.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Text directly inside the element (entities decoded), e.g. a <title>'s tooltip. */
  text: string;
  parent?: XmlElement;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(text: string, where: string): string {
  if (/&/.test(text.replace(ENTITY, ""))) throw new Error(`bare '&' in ${where}: ${text.slice(0, 80)}`);
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&");
}

/** Parses `xml` (an optional declaration, then one root element); throws on the first defect. */
export function checkXml(xml: string): XmlElement[] {
  let i = 0;
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let roots = 0;
  if (xml.startsWith("<?xml")) {
    i = xml.indexOf("?>") + 2;
    if (i < 2) throw new Error("unterminated XML declaration");
  }
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes(">")) throw new Error(`raw '>' is fine in XML, but here it hints at a broken tag: ${text.slice(0, 60)}`);
    const decoded = decode(text, "text");
    const top = stack[stack.length - 1];
    if (top) top.text += decoded;
    else if (text.trim() !== "") throw new Error(`text outside the root: ${text.slice(0, 60)}`);
    if (lt === -1) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt);
      if (end === -1) throw new Error("unterminated comment");
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf(">", lt);
    if (gt === -1) throw new Error("unterminated tag");
    const tag = xml.slice(lt + 1, gt);
    if (tag.includes("<")) throw new Error(`'<' inside a tag: ${tag.slice(0, 80)}`);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? "nothing"}>`);
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = /^([A-Za-z_][\w.:-]*)/.exec(body);
    if (!nameMatch?.[1]) throw new Error(`bad tag name: <${tag.slice(0, 40)}>`);
    const attrs: Record<string, string> = {};
    const rest = body.slice(nameMatch[1].length);
    const attrRe = /\s+([A-Za-z_][\w.:-]*)="([^"]*)"/gy;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = attrRe.exec(rest)) !== null) {
      const [, key = "", value = ""] = m;
      if (key in attrs) throw new Error(`duplicate attribute ${key} on <${nameMatch[1]}>`);
      attrs[key] = decode(value, `attribute ${key}`);
      consumed = attrRe.lastIndex;
    }
    if (rest.slice(consumed).trim() !== "") throw new Error(`bad attributes on <${nameMatch[1]}>: ${rest.slice(consumed, consumed + 60)}`);
    const element: XmlElement = { name: nameMatch[1], attrs, text: "", parent: stack[stack.length - 1] };
    if (stack.length === 0) roots++;
    elements.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (roots !== 1) throw new Error(`expected one root element, found ${roots}`);
  return elements;
}
