import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { problem, type ProblemError } from '@schakel/contracts';

/**
 * The one way XML from the wire is read. @xmldom/xmldom (0.9) is a real, namespace-aware DOM parser in
 * plain JavaScript: it never fetches anything (no external entities, no DTD loading), never expands
 * entities beyond the five predefined ones and character references, and in 0.9 reports malformed input as
 * errors we make fatal. It is also what xml-crypto builds on, so signatures are checked on the same kind
 * of tree. fast-xml-parser gives no DOM for XML-DSig, and saxes would leave us to build one.
 *
 * On top of that we refuse, before the parser sees a byte:
 * - any document type declaration (XXE, billion laughs and every other DTD trick start there: SOAP 1.2
 *   forbids a DTD in an envelope anyway),
 * - documents larger than `maxBytes`,
 * and after parsing, trees deeper than `maxDepth` or with more than `maxElements` elements.
 * Every refusal is a problem with hl7 code VALIDATIEFOUT.
 */
export interface XmlLimits {
  /** Default 1 MiB, as the JSON API. */
  maxBytes?: number;
  /** Default 128 levels of elements. */
  maxDepth?: number;
  /** Default 100,000 elements. */
  maxElements?: number;
}

export const DEFAULT_XML_LIMITS: Required<XmlLimits> = { maxBytes: 1024 * 1024, maxDepth: 128, maxElements: 100_000 };

const DOCTYPE = /<!DOCTYPE/i;
const ENTITY_DECL = /<!ENTITY/i;

function refused(detail: string, expected: string): ProblemError {
  return problem('VALIDATION_ERROR', detail, {
    field: 'xml',
    expected,
    errors: [{ field: 'xml', code: 'INVALID_VALUE', expected, message: detail }],
  });
}

/** Parse XML from the wire, or throw a ProblemError (VALIDATIEFOUT). */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): Document {
  const { maxBytes, maxDepth, maxElements } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) {
    throw problem('BODY_TOO_LARGE', `The XML document is ${size} bytes; at most ${maxBytes} are accepted`, {
      field: 'xml',
      expected: `at most ${maxBytes} bytes`,
    });
  }
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A plain scan, so a DTD is refused in microseconds whatever it would have expanded to.
  if (DOCTYPE.test(text) || ENTITY_DECL.test(text)) {
    throw refused('Document type declarations (DTDs) and entity declarations are refused', 'XML without a DOCTYPE');
  }
  let doc: Document;
  try {
    doc = new DOMParser({
      locator: true,
      onError: (level, message) => {
        // U+FFFD is a legal character (and what our writer puts for characters XML cannot carry).
        if (level === 'warning' && /Unicode replacement character/.test(message)) return;
        // Other warnings too: a missing quote or a stray character is not something to guess around.
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(text, 'text/xml');
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : 'unreadable';
    throw refused(`The XML is not well-formed: ${message}`, 'well-formed, namespace-well-formed XML 1.0');
  }
  const root = doc.documentElement;
  if (root === null) throw refused('The XML has no root element', 'one root element');
  checkShape(root, maxDepth, maxElements);
  return doc;
}

function checkShape(root: Element, maxDepth: number, maxElements: number): void {
  let count = 0;
  const stack: Array<[Element, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [el, depth] = stack.pop()!;
    if (++count > maxElements)
      throw refused(`The XML has more than ${maxElements} elements`, `at most ${maxElements} elements`);
    if (depth > maxDepth) throw refused(`The XML nests deeper than ${maxDepth} elements`, `at most ${maxDepth} levels`);
    for (let c = el.firstChild; c !== null; c = c.nextSibling) {
      if (c.nodeType === c.ELEMENT_NODE) stack.push([c as Element, depth + 1]);
    }
  }
}
