import type { Element } from '@xmldom/xmldom';
import type { z } from 'zod';
import { problem, type FieldError, type ProblemError } from '@schakel/contracts';
import { NS } from '../oids.js';

/**
 * Reading decoded XML with a path for every error: a missing element or a bad value is a problem whose
 * `field` says where, e.g. `QURX_IN990011NL/ControlActProcess/queryByParameter/patientID`, and whose hl7
 * code is VALIDATIEFOUT. Elements are matched by namespace and local name, never by prefix.
 */
export interface Reader {
  readonly el: Element;
  readonly path: string;
  readonly name: string;
  readonly ns: string | null;
  /** Element children with this local name in `ns` (HL7 by default). */
  all(name: string, ns?: string): Reader[];
  /** Every element child, any name and namespace. */
  elements(): Reader[];
  child(name: string, ns?: string): Reader | undefined;
  /** The one child of this name; missing is a problem. */
  need(name: string, ns?: string): Reader;
  attr(name: string): string | undefined;
  needAttr(name: string): string;
  /** Attribute in a namespace, e.g. xsi:type. */
  attrNs(ns: string, name: string): string | undefined;
  /** The text content (concatenated descendants). */
  text(): string;
}

export function wireError(
  field: string,
  code: 'MISSING_FIELD' | 'INVALID_VALUE' | 'INVALID_TYPE' | 'UNKNOWN_FIELD',
  expected: string,
  message: string,
): ProblemError {
  const error: FieldError = { field, code, expected, message };
  return problem('VALIDATION_ERROR', `${field}: ${message}`, { field, expected, errors: [error] });
}

export function reader(el: Element, path: string = el.localName ?? el.nodeName): Reader {
  const self: Reader = {
    el,
    path,
    name: el.localName ?? el.nodeName,
    ns: el.namespaceURI,
    all(name, ns = NS.hl7) {
      const out: Reader[] = [];
      let i = 0;
      for (let c = el.firstChild; c !== null; c = c.nextSibling) {
        if (c.nodeType !== c.ELEMENT_NODE) continue;
        const e = c as Element;
        if (e.localName === name && e.namespaceURI === ns) out.push(reader(e, `${path}/${name}[${++i}]`));
      }
      // A single match reads better without [1].
      if (out.length === 1) return [reader(out[0]!.el, `${path}/${name}`)];
      return out;
    },
    elements() {
      const out: Reader[] = [];
      for (let c = el.firstChild; c !== null; c = c.nextSibling) {
        if (c.nodeType === c.ELEMENT_NODE) out.push(reader(c as Element, `${path}/${(c as Element).localName}`));
      }
      return out;
    },
    child(name, ns = NS.hl7) {
      for (let c = el.firstChild; c !== null; c = c.nextSibling) {
        if (c.nodeType !== c.ELEMENT_NODE) continue;
        const e = c as Element;
        if (e.localName === name && e.namespaceURI === ns) return reader(e, `${path}/${name}`);
      }
      return undefined;
    },
    need(name, ns = NS.hl7) {
      const c = self.child(name, ns);
      if (c === undefined)
        throw wireError(`${path}/${name}`, 'MISSING_FIELD', `a ${name} element`, `${name} is required here`);
      return c;
    },
    attr(name) {
      return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
    },
    needAttr(name) {
      const v = self.attr(name);
      if (v === undefined || v === '')
        throw wireError(`${path}/@${name}`, 'MISSING_FIELD', `a ${name} attribute`, `@${name} is required here`);
      return v;
    },
    attrNs(ns, name) {
      return el.hasAttributeNS(ns, name) ? (el.getAttributeNS(ns, name) ?? undefined) : undefined;
    },
    text() {
      return el.textContent ?? '';
    },
  };
  return self;
}

const IDENTIFIER_CODES = /^INVALID_(BSN|URA|AGB|UZI_NUMBER|BIG_NUMBER|ROLE_CODE|APPLICATION_ID|AORTA_ID)$/;

/**
 * Check what a decoder built against the contract's zod schema, so a decoded message is exactly as valid
 * as the same data sent as JSON (an 11-proef failure is INVALID_BSN either way). `where` names the message.
 */
export function validated<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const field = [where, ...issue.path.map(String)].join('.');
    const params = (issue as { params?: { code?: unknown; expected?: unknown } }).params;
    if (params !== undefined && typeof params.code === 'string') {
      return {
        field,
        code: params.code,
        expected: typeof params.expected === 'string' ? params.expected : issue.message,
        message: issue.message,
      };
    }
    switch (issue.code) {
      case 'invalid_type':
        return (issue as { input?: unknown }).input === undefined
          ? { field, code: 'MISSING_FIELD', expected: String(issue.expected), message: `${field} is required` }
          : { field, code: 'INVALID_TYPE', expected: String(issue.expected), message: issue.message };
      case 'unrecognized_keys':
        return { field, code: 'UNKNOWN_FIELD', expected: 'only the documented fields', message: issue.message };
      default:
        return {
          field,
          code: 'INVALID_VALUE',
          expected: issue.message.replace(/^Invalid input: /, ''),
          message: issue.message,
        };
    }
  });
  const first = errors[0]!;
  const code = IDENTIFIER_CODES.test(first.code) ? first.code : 'VALIDATION_ERROR';
  throw problem(code as 'VALIDATION_ERROR', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    field: first.field,
    expected: first.expected,
    errors,
  });
}
