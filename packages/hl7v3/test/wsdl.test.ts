import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XMLSerializer } from '@xmldom/xmldom';
import {
  buildWsdl,
  encodeMedicationQuery,
  INTERACTION_DEFINITIONS,
  interactionOf,
  parseEnvelope,
  parseXml,
  SERVICES,
  buildEnvelope,
  type ServiceName,
} from '../src/index.js';
import { LSP, medicationQuery } from './fixtures.js';
import { xmllint } from './schema.js';

const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const byName = (doc: ReturnType<typeof parseXml>, ns: string, local: string) => {
  const list = doc.getElementsByTagNameNS(ns, local);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
};

describe('WSDL per service', () => {
  it.each(Object.keys(SERVICES) as ServiceName[])(
    '%s: every operation with its input, output and Action, from the one definition',
    (service) => {
      const doc = parseXml(buildWsdl(service, { location: 'https://127.0.0.1:7000/aorta/x' }));
      const ops = byName(doc, WSDL, 'operation').filter((o) => o.parentNode?.localName === 'portType');
      expect(ops.map((o) => o.getAttribute('name'))).toEqual(SERVICES[service].operations.map((o) => o.request));
      for (const [i, o] of SERVICES[service].operations.entries()) {
        const input = byName(doc, WSDL, 'input').filter((x) => x.parentNode === ops[i])[0]!;
        const output = byName(doc, WSDL, 'output').filter((x) => x.parentNode === ops[i])[0]!;
        expect(input.getAttributeNS('http://www.w3.org/2007/05/addressing/metadata', 'Action')).toBe(
          INTERACTION_DEFINITIONS[o.request].action,
        );
        expect(output.getAttributeNS('http://www.w3.org/2007/05/addressing/metadata', 'Action')).toBe(
          INTERACTION_DEFINITIONS[o.answer].action,
        );
      }
      const soapOps = byName(doc, 'http://schemas.xmlsoap.org/wsdl/soap12/', 'operation').map((o) =>
        o.getAttribute('soapAction'),
      );
      expect(soapOps).toEqual(SERVICES[service].operations.map((o) => INTERACTION_DEFINITIONS[o.request].action));
      expect(byName(doc, 'http://schemas.xmlsoap.org/wsdl/soap12/', 'address')[0]!.getAttribute('location')).toBe(
        'https://127.0.0.1:7000/aorta/x',
      );
    },
  );

  it.skipIf(!xmllint)('declares types that compile and accept the messages we send', () => {
    const doc = parseXml(buildWsdl('query', { location: 'https://127.0.0.1:7000/aorta/query' }));
    const schema = new XMLSerializer().serializeToString(byName(doc, 'http://www.w3.org/2001/XMLSchema', 'schema')[0]!);
    const dir = mkdtempSync(join(tmpdir(), 'hl7v3-wsdl-'));
    try {
      writeFileSync(join(dir, 'types.xsd'), schema);
      writeFileSync(
        join(dir, 'query.xml'),
        encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } }),
      );
      expect(() =>
        execFileSync('xmllint', ['--noout', '--nonet', '--schema', join(dir, 'types.xsd'), join(dir, 'query.xml')], {
          stdio: 'pipe',
        }),
      ).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the interaction registry', () => {
  it('finds the interaction by its Action, and refuses an Action that does not name the body', () => {
    const body = encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } });
    expect(interactionOf(parseEnvelope(buildEnvelope({ action: 'urn:hl7-org:v3/QURX_IN990011NL', body }))).answer).toBe(
      'MCCI_IN200101',
    );
    expect(() =>
      interactionOf(parseEnvelope(buildEnvelope({ action: 'urn:hl7-org:v3/QUPC_IN990001NL', body }))),
    ).toThrow(/body holds/);
    expect(() => interactionOf(parseEnvelope(buildEnvelope({ action: 'urn:hl7-org:v3/FOO', body })))).toThrow(
      /Unknown SOAP Action/,
    );
  });

  it('has a decoder for every interaction, and one at the source for every one a source receives', () => {
    for (const d of Object.values(INTERACTION_DEFINITIONS)) {
      expect(typeof d.decode).toBe('function');
      if (d.sourceAnswer !== undefined) expect(typeof d.decodeAtSource).toBe('function');
    }
  });
});
