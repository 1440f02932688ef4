import type { Document, Element } from '@xmldom/xmldom';
import { parseXml, type XmlLimits } from '../xml/parse.js';
import { reader, type Reader } from '../xml/read.js';

/** What a decoder takes: XML text from the wire, or an element already parsed (a SOAP body's child). */
export type XmlInput = string | Uint8Array | Document | Element;

export function messageRoot(input: XmlInput, limits?: XmlLimits): Reader {
  if (typeof input === 'string' || input instanceof Uint8Array) return reader(parseXml(input, limits).documentElement!);
  if ('documentElement' in input) return reader(input.documentElement!);
  return reader(input);
}
