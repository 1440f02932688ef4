import { OID, roleName, type Professional } from '@schakel/contracts';
import { el, type XChild, type XElement } from '../xml/build.js';
import type { Reader } from '../xml/read.js';
import { readIdExtension } from './datatypes.js';

/**
 * The ControlActProcess inside the wrapper, with its authorOrPerformer: the acting professional as an
 * AssignedPerson (UZI number under 2.16.528.1.1007.3.1, UZI role code under 2.16.840.1.113883.2.4.15.111,
 * the organisation by URA), and the responsible professional as overseer when an assistant acts for them.
 */
export interface ActingOrganisation {
  ura: string;
  name?: string;
  /** Organisation type (2.16.840.1.113883.2.4.15.1060), e.g. N6. */
  type?: string;
}

export interface ControlActInput {
  author?: Professional;
  organisation?: ActingOrganisation;
  responsible?: Professional;
  /** The sending system as an AssignedDevice (application id), when it is not the wrapper's sender. */
  device?: string;
}

export function organisationElement(o: ActingOrganisation): XElement {
  return el(
    'Organization',
    { classCode: 'ORG', determinerCode: 'INSTANCE' },
    el('id', { root: OID.ura, extension: o.ura }),
    o.type !== undefined && el('code', { code: o.type, codeSystem: OID.organisationType }),
    o.name !== undefined && el('name', null, o.name),
  );
}

export function assignedPerson(p: Professional, organisation?: ActingOrganisation): XElement {
  return el(
    'AssignedPerson',
    { classCode: 'ASSIGNED' },
    el('id', { root: OID.uziPerson, extension: p.uziNumber }),
    el('code', { code: p.roleCode, codeSystem: OID.uziRole, displayName: roleName(p.roleCode) }),
    p.name !== undefined &&
      el('assignedPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' }, el('name', null, p.name)),
    organisation !== undefined && organisationElement(organisation),
  );
}

export function controlAct(input: ControlActInput, ...children: XChild[]): XElement {
  return el(
    'ControlActProcess',
    { moodCode: 'EVN' },
    input.author !== undefined &&
      el(
        'authorOrPerformer',
        { typeCode: 'AUT' },
        el('participant', null, assignedPerson(input.author, input.organisation)),
      ),
    input.device !== undefined &&
      el(
        'authorOrPerformer',
        { typeCode: 'AUT' },
        el(
          'participant',
          null,
          el(
            'AssignedDevice',
            { classCode: 'ASSIGNED' },
            el('id', { root: OID.applicationId, extension: input.device }),
          ),
        ),
      ),
    input.responsible !== undefined && el('overseer', { typeCode: 'RESP' }, assignedPerson(input.responsible)),
    ...children,
  );
}

export function readProfessional(r: Reader): Professional {
  const uziNumber = readIdExtension(r.need('id'), OID.uziPerson);
  const roleCode = r.need('code').needAttr('code');
  const name = r.child('assignedPerson')?.child('name')?.text();
  return { uziNumber, roleCode, ...(name !== undefined ? { name } : {}) };
}

export function readOrganisation(r: Reader): ActingOrganisation {
  const ura = readIdExtension(r.need('id'), OID.ura);
  const type = r.child('code')?.attr('code');
  const name = r.child('name')?.text();
  return { ura, ...(name !== undefined ? { name } : {}), ...(type !== undefined ? { type } : {}) };
}

export interface ControlActRead {
  act: Reader;
  author?: Professional;
  organisation?: ActingOrganisation;
  responsible?: Professional;
  device?: string;
}

export function readControlAct(root: Reader): ControlActRead {
  const act = root.need('ControlActProcess');
  const participants = act.all('authorOrPerformer').map((a) => a.need('participant'));
  const person = participants.map((p) => p.child('AssignedPerson')).find((p) => p !== undefined);
  const device = participants.map((p) => p.child('AssignedDevice')).find((p) => p !== undefined);
  const org = person?.child('Organization');
  const overseer = act.child('overseer')?.child('AssignedPerson');
  return {
    act,
    ...(person !== undefined ? { author: readProfessional(person) } : {}),
    ...(org !== undefined ? { organisation: readOrganisation(org) } : {}),
    ...(overseer !== undefined ? { responsible: readProfessional(overseer) } : {}),
    ...(device !== undefined ? { device: readIdExtension(device.need('id'), OID.applicationId) } : {}),
  };
}
