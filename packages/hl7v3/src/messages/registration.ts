import { DATA_CATEGORIES, IndexRegistration, OID, type Professional } from '@schakel/contracts';
import { el, toXml } from '../xml/build.js';
import { validated } from '../xml/read.js';
import { readIdExtension } from '../hl7/datatypes.js';
import { controlAct, readControlAct } from '../hl7/control-act.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  readTransmission,
  transmissionWrapper,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';

/**
 * MFMT_IN002101 / 002102 / 002103: a data holder registers, re-registers or deregisters a patient's data
 * category in the reference index (verwijsindex). The registrationRequest names the patient (BSN), the data
 * category (AORTA list 2.16.840.1.113883.2.4.3.111.15.3) on the care provision act, and the holder's system
 * as custodian (application id). The answer is an acknowledgement (MCCI_IN000002).
 */
export const REGISTRATION_INTERACTIONS = ['MFMT_IN002101', 'MFMT_IN002102', 'MFMT_IN002103'] as const;
export type RegistrationInteraction = (typeof REGISTRATION_INTERACTIONS)[number];

export interface RegistrationMessage {
  interaction: RegistrationInteraction;
  transmission: Transmission;
  registration: IndexRegistration;
  /** The professional who recorded the consent, when the holder names one. */
  author?: Professional;
}

export function encodeRegistration(
  interaction: RegistrationInteraction,
  input: IndexRegistration,
  options: {
    transmission: Omit<TransmissionInput, 'sender'> & { sender?: TransmissionInput['sender'] };
    author?: Professional;
  },
): string {
  const r = validated(IndexRegistration, input, 'IndexRegistration');
  return toXml(
    transmissionWrapper(
      interaction,
      { ...options.transmission, sender: options.transmission.sender ?? { applicationId: r.applicationId } },
      { acceptAckCode: 'AL' },
      controlAct(
        { ...(options.author !== undefined ? { author: options.author } : {}), device: r.applicationId },
        el(
          'subject',
          { typeCode: 'SUBJ' },
          el(
            'registrationRequest',
            { classCode: 'REG', moodCode: 'RQO' },
            el('statusCode', { code: interaction === 'MFMT_IN002103' ? 'nullified' : 'active' }),
            el(
              'subject1',
              { typeCode: 'SUBJ' },
              el(
                'careProvisionEvent',
                { classCode: 'PCPR', moodCode: 'EVN' },
                el('code', {
                  code: r.category,
                  codeSystem: OID.dataCategory,
                  displayName: DATA_CATEGORIES[r.category],
                }),
                el(
                  'recordTarget',
                  null,
                  el('patient', { classCode: 'PAT' }, el('id', { root: OID.bsn, extension: r.bsn })),
                ),
              ),
            ),
            el(
              'custodian',
              { typeCode: 'CST' },
              el(
                'assignedDevice',
                { classCode: 'ASSIGNED' },
                el('id', { root: OID.applicationId, extension: r.applicationId }),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

export function decodeRegistration(input: XmlInput): RegistrationMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, REGISTRATION_INTERACTIONS);
  const { act, author } = readControlAct(root);
  const req = act.need('subject').need('registrationRequest');
  const care = req.need('subject1').need('careProvisionEvent');
  const codeEl = care.need('code');
  const registration = validated(
    IndexRegistration,
    {
      bsn: readIdExtension(care.need('recordTarget').need('patient').need('id'), OID.bsn),
      category: codeEl.attr('codeSystem') === OID.dataCategory ? codeEl.attr('code') : undefined,
      applicationId: readIdExtension(req.need('custodian').need('assignedDevice').need('id'), OID.applicationId),
    },
    root.name,
  );
  return {
    interaction: root.name as RegistrationInteraction,
    transmission,
    registration,
    ...(author !== undefined ? { author } : {}),
  };
}
