import { TREATMENT_LIMITS, type Icpc, type TreatmentLimit } from '@schakel/contracts';
import { el, type XChild, type XElement } from '../xml/build.js';
import { wireError, type Reader } from '../xml/read.js';
import { CODE_SYSTEM } from '../oids.js';
import { readTsDate, readTsDateTime, tsDate, tsDateTime } from './datatypes.js';

/**
 * What the acute chain reports, in one rendering wherever it travels: the observation report
 * (REPC_IN990003NL) and the same report once the GP processed it, passed on in the professional summary
 * (QUPC_IN990002NL acuteCareFeedback). The encounter is a component with its priority (ActPriority EM for
 * acute, R for regular), when it took place and a SOEP line each for the complaint (S), findings (O) and
 * actions (P); beside it an episode proposal (ICPC-1NL, mood PRP) and a handover note. A treatment limit
 * (behandelgrens) is a treatmentLimit act with Schakel's code, the note as text, the date it was agreed and
 * the person it was agreed with as participant CON, in the summary and in the report alike.
 */

export interface EncounterContent {
  at: string;
  complaint: string;
  findings?: string;
  actions: string;
  episodeProposal?: Icpc;
  handover?: string;
}

export type Situation = 'regular' | 'acute';

/** A treatment limit's content, without the record around it (id, availabilityTime) that only the GP's summary has. */
export type TreatmentLimitContent = Pick<TreatmentLimit, 'kind' | 'agreedOn' | 'agreedWith' | 'note'>;

export const soepLine = (code: 'S' | 'O' | 'E' | 'P', text: string): XElement =>
  el(
    'component',
    null,
    el('soepLine', null, el('code', { code, codeSystem: CODE_SYSTEM.soep }), el('text', null, text)),
  );

/** SOEP lines of an encounter or a journal entry, by code. */
export function readSoepLines(r: Reader): Map<string, string> {
  return new Map(
    r
      .all('component')
      .map((l) => [l.need('soepLine').need('code').needAttr('code'), l.need('soepLine').need('text').text()]),
  );
}

/** The components of a report: the encounter, then the episode proposal and the handover note when there are any. */
export function encounterComponents(situation: Situation, e: EncounterContent): XElement[] {
  return [
    el(
      'component',
      null,
      el(
        'encounter',
        { classCode: 'ENC', moodCode: 'EVN' },
        el('priorityCode', { code: situation === 'acute' ? 'EM' : 'R', codeSystem: CODE_SYSTEM.actPriority }),
        tsDateTime('effectiveTime', e.at),
        soepLine('S', e.complaint),
        e.findings !== undefined && soepLine('O', e.findings),
        soepLine('P', e.actions),
      ),
    ),
    e.episodeProposal !== undefined &&
      el(
        'component',
        null,
        el(
          'episodeProposal',
          { classCode: 'CONC', moodCode: 'PRP' },
          el('code', {
            code: e.episodeProposal.code,
            codeSystem: CODE_SYSTEM.icpc,
            displayName: e.episodeProposal.title,
          }),
        ),
      ),
    e.handover !== undefined &&
      el('component', null, el('handoverNote', { classCode: 'ACT', moodCode: 'EVN' }, el('text', null, e.handover))),
  ].filter((x): x is XElement => x !== false);
}

/** Read the encounter, episode proposal and handover note back from the components of `r`. */
export function readEncounterComponents(r: Reader): { situation: Situation; encounter: EncounterContent } {
  const acts = r.all('component').flatMap((c) => c.elements());
  const find = (name: string) => acts.find((a) => a.name === name);
  const enc = find('encounter');
  if (enc === undefined)
    throw wireError(
      `${r.path}/component/encounter`,
      'MISSING_FIELD',
      'the encounter',
      'a report describes the encounter',
    );
  const lines = readSoepLines(enc);
  const proposal = find('episodeProposal')?.need('code');
  const handover = find('handoverNote');
  return {
    situation: enc.child('priorityCode')?.attr('code') === 'EM' ? 'acute' : 'regular',
    encounter: {
      at: readTsDateTime(enc.need('effectiveTime')),
      complaint: lines.get('S') ?? '',
      ...(lines.has('O') ? { findings: lines.get('O')! } : {}),
      actions: lines.get('P') ?? '',
      ...(proposal !== undefined
        ? { episodeProposal: { code: proposal.needAttr('code'), title: proposal.attr('displayName') ?? '' } }
        : {}),
      ...(handover !== undefined ? { handover: handover.need('text').text() } : {}),
    },
  };
}

/**
 * A treatment limit act. `record` is what comes before the code (the summary's id and availabilityTime),
 * `after` what follows the participant (the summary's reference to the report it came with).
 */
export function treatmentLimitElement(t: TreatmentLimitContent, record: XChild[] = [], after: XChild[] = []): XElement {
  return el(
    'treatmentLimit',
    { classCode: 'ACT', moodCode: 'EVN' },
    record,
    el('code', { code: t.kind, codeSystem: CODE_SYSTEM.treatmentLimit, displayName: TREATMENT_LIMITS[t.kind] }),
    t.note !== undefined && el('text', null, t.note),
    tsDate('effectiveTime', t.agreedOn),
    t.agreedWith !== undefined && el('participant', { typeCode: 'CON' }, el('name', null, t.agreedWith)),
    after,
  );
}

export function readTreatmentLimitContent(r: Reader): TreatmentLimitContent {
  const agreedWith = r.child('participant')?.child('name')?.text();
  const note = r.child('text')?.text();
  return {
    // The contract's zod schema checks the code when the message is validated.
    kind: r.need('code').needAttr('code') as TreatmentLimit['kind'],
    agreedOn: readTsDate(r.need('effectiveTime')),
    ...(agreedWith !== undefined ? { agreedWith } : {}),
    ...(note !== undefined ? { note } : {}),
  };
}
