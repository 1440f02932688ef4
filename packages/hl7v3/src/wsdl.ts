import { el, toXml } from './xml/build.js';
import { NS } from './oids.js';
import { INTERACTION_DEFINITIONS, SERVICES, type ServiceName, type WireInteraction } from './interactions.js';
import { WSA_ANONYMOUS } from './soap/envelope.js';

/**
 * A WSDL 1.1 document per service (SOAP 1.2 binding, document/literal, WS-Addressing required with the
 * Action of every input and output), written from SERVICES and INTERACTION_DEFINITIONS so it never drifts
 * from what the codecs speak. Message elements are declared as open content in urn:hl7-org:v3: SoapUI,
 * Apache CXF and WCF import it and generate a client; the HL7 structure itself is docs/hl7v3.md's.
 */
export interface WsdlOptions {
  /** Where the service listens, e.g. https://127.0.0.1:7000/aorta/query. */
  location: string;
}

export function buildWsdl(service: ServiceName, options: WsdlOptions): string {
  const s = SERVICES[service];
  const elements = [...new Set<WireInteraction>(s.operations.flatMap((o) => [o.request, o.answer]))];
  const portType = `${s.name}PortType`;
  const binding = `${s.name}Binding`;
  return toXml(
    el(
      'wsdl:definitions',
      {
        name: s.name,
        targetNamespace: NS.hl7,
        'xmlns:wsdl': NS.wsdl,
        'xmlns:soap12': NS.soap12wsdl,
        'xmlns:wsam': NS.wsam,
        'xmlns:wsaw': NS.wsaw,
        'xmlns:xs': NS.xs,
        'xmlns:hl7': NS.hl7,
      },
      el(
        'wsdl:documentation',
        null,
        `${s.description} AORTA on Schakel: HL7v3 in SOAP 1.2 with WS-Addressing (Action, MessageID, To, ReplyTo; answers carry RelatesTo). ` +
          'Requests carry the professional’s signed assertion (wsse:Security with a SAML 2.0 Assertion signed with the UZI card) and travel over mutual TLS. ' +
          `Answers come back on the same connection (ReplyTo ${WSA_ANONYMOUS}).`,
      ),
      el(
        'wsdl:types',
        null,
        el(
          'xs:schema',
          // Declared again here, so the schema stands alone when a tool lifts it out (its type QNames need hl7:).
          { targetNamespace: NS.hl7, elementFormDefault: 'qualified', 'xmlns:xs': NS.xs, 'xmlns:hl7': NS.hl7 },
          el(
            'xs:complexType',
            { name: 'HL7v3Interaction' },
            el(
              'xs:annotation',
              null,
              el('xs:documentation', null, 'An HL7v3 interaction with its transmission wrapper; see docs/hl7v3.md.'),
            ),
            el(
              'xs:sequence',
              null,
              el('xs:any', { namespace: '##any', processContents: 'lax', minOccurs: '0', maxOccurs: 'unbounded' }),
            ),
            el('xs:anyAttribute', { namespace: '##any', processContents: 'lax' }),
          ),
          elements.map((id) =>
            el(
              'xs:element',
              { name: id, type: 'hl7:HL7v3Interaction' },
              el(
                'xs:annotation',
                null,
                el(
                  'xs:documentation',
                  null,
                  `${id}: ${INTERACTION_DEFINITIONS[id].title} (${INTERACTION_DEFINITIONS[id].description})`,
                ),
              ),
            ),
          ),
        ),
      ),
      elements.map((id) => el('wsdl:message', { name: id }, el('wsdl:part', { name: 'body', element: `hl7:${id}` }))),
      el(
        'wsdl:portType',
        { name: portType },
        s.operations.map((o) =>
          el(
            'wsdl:operation',
            { name: o.request },
            el(
              'wsdl:documentation',
              null,
              `${INTERACTION_DEFINITIONS[o.request].title} -> ${o.answer} (${INTERACTION_DEFINITIONS[o.answer].title})`,
            ),
            el('wsdl:input', { message: `hl7:${o.request}`, 'wsam:Action': INTERACTION_DEFINITIONS[o.request].action }),
            el('wsdl:output', { message: `hl7:${o.answer}`, 'wsam:Action': INTERACTION_DEFINITIONS[o.answer].action }),
          ),
        ),
      ),
      el(
        'wsdl:binding',
        { name: binding, type: `hl7:${portType}` },
        el('wsaw:UsingAddressing', { 'wsdl:required': 'true' }),
        el('soap12:binding', { transport: 'http://schemas.xmlsoap.org/soap/http', style: 'document' }),
        s.operations.map((o) =>
          el(
            'wsdl:operation',
            { name: o.request },
            el('soap12:operation', {
              soapAction: INTERACTION_DEFINITIONS[o.request].action,
              soapActionRequired: 'true',
              style: 'document',
            }),
            el('wsdl:input', null, el('soap12:body', { use: 'literal' })),
            el('wsdl:output', null, el('soap12:body', { use: 'literal' })),
          ),
        ),
      ),
      el(
        'wsdl:service',
        { name: s.name },
        el(
          'wsdl:port',
          { name: `${s.name}Port`, binding: `hl7:${binding}` },
          el('soap12:address', { location: options.location }),
        ),
      ),
    ),
    { declaration: true, indent: 2 },
  );
}
