/**
 * A small XML writer: messages are built as trees of plain objects and serialised in one place, so every
 * text and attribute is escaped the same way. Characters XML 1.0 cannot carry (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) become U+FFFD rather than producing a document no parser accepts.
 */
export type AttrValue = string | number | boolean | null | undefined;
export type XChild = XElement | XRaw | string | number | null | undefined | false | readonly XChild[];

export interface XElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly children: readonly XChild[];
}

/** Already serialised XML, embedded as is (a signed assertion, an inner message of a batch). */
export interface XRaw {
  readonly kind: 'raw';
  readonly xml: string;
}

export function el(name: string, attrs?: Readonly<Record<string, AttrValue>> | null, ...children: XChild[]): XElement {
  return { kind: 'element', name, attrs: attrs ?? {}, children };
}

export function raw(xml: string): XRaw {
  return { kind: 'raw', xml: xml.replace(/^<\?xml[^>]*\?>\s*/, '') };
}

const INVALID_XML_CHARS =
  // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters; the regex names them on purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(value: string): string {
  return value
    .replace(INVALID_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

export function escapeAttr(value: string): string {
  return value
    .replace(INVALID_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function flatten(
  children: readonly XChild[],
  out: Array<XElement | XRaw | string> = [],
): Array<XElement | XRaw | string> {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) flatten(c as readonly XChild[], out);
    else if (typeof c === 'number') out.push(String(c));
    else out.push(c as XElement | XRaw | string);
  }
  return out;
}

function attrsToString(attrs: Readonly<Record<string, AttrValue>>): string {
  let s = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    s += ` ${k}="${escapeAttr(String(v))}"`;
  }
  return s;
}

export interface ToXmlOptions {
  /** Write `<?xml version="1.0" encoding="UTF-8"?>` first. */
  declaration?: boolean;
  /** Indent nested elements by this many spaces (0: one line). Text content is never re-indented. */
  indent?: number;
}

export function toXml(root: XElement, options: ToXmlOptions = {}): string {
  const indent = options.indent ?? 0;
  const parts: string[] = [];
  if (options.declaration === true) parts.push('<?xml version="1.0" encoding="UTF-8"?>', indent > 0 ? '\n' : '');
  const write = (node: XElement | XRaw | string, depth: number): void => {
    if (typeof node === 'string') {
      parts.push(escapeText(node));
      return;
    }
    if (node.kind === 'raw') {
      parts.push(node.xml);
      return;
    }
    const children = flatten(node.children);
    const open = `<${node.name}${attrsToString(node.attrs)}`;
    if (children.length === 0) {
      parts.push(`${open}/>`);
      return;
    }
    parts.push(`${open}>`);
    // Only elements that hold elements alone are indented: mixed or text content is written as is.
    const elementOnly = indent > 0 && children.every((c) => typeof c !== 'string');
    for (const c of children) {
      if (elementOnly) parts.push('\n', ' '.repeat(indent * (depth + 1)));
      write(c, depth + 1);
    }
    if (elementOnly) parts.push('\n', ' '.repeat(indent * depth));
    parts.push(`</${node.name}>`);
  };
  write(root, 0);
  return parts.join('');
}
