import { OID, type Prescriber } from '@schakel/contracts';
import { el, type XElement } from '../xml/build.js';
import type { Reader } from '../xml/read.js';
import { CODE_SYSTEM } from '../oids.js';
import { findId, readNumber } from './datatypes.js';

/**
 * A medicinal product as the G-Standaard codes it: the most specific code (ZI number, then HPK, PRK, GPK) as
 * the code, the others and the ATC code as translations, the name as originalText (so a product without any
 * code still has its name), the strength as desc. Quantities carry the G-Standaard unit as a translation,
 * as AIS systems send them (unit "1" plus the dispense unit, e.g. "stuk").
 */
export interface ProductLike {
  name: string;
  gpk?: string;
  prk?: string;
  hpk?: string;
  zi?: string;
  atc?: string;
  strength?: string;
}

const PRODUCT_CODES = [
  ['zi', CODE_SYSTEM.zi],
  ['hpk', CODE_SYSTEM.hpk],
  ['prk', CODE_SYSTEM.prk],
  ['gpk', CODE_SYSTEM.gpk],
  ['atc', CODE_SYSTEM.atc],
] as const;

export function medicationKind(p: ProductLike): XElement {
  const codes = PRODUCT_CODES.filter(([k]) => p[k] !== undefined).map(([k, system]) => ({
    code: p[k]!,
    codeSystem: system,
  }));
  // ATC is a classification, never the product's own code.
  const primaryIndex = codes.findIndex((c) => c.codeSystem !== CODE_SYSTEM.atc);
  const primary = primaryIndex >= 0 ? codes[primaryIndex] : undefined;
  const translations = codes.filter((_, i) => i !== primaryIndex);
  return el(
    'MedicationKind',
    { classCode: 'MMAT', determinerCode: 'KIND' },
    el(
      'code',
      primary !== undefined
        ? { code: primary.code, codeSystem: primary.codeSystem, displayName: p.name }
        : { nullFlavor: 'OTH' },
      el('originalText', null, p.name),
      translations.map((t) => el('translation', { code: t.code, codeSystem: t.codeSystem })),
    ),
    p.strength !== undefined && el('desc', null, p.strength),
  );
}

export function readMedicationKind(r: Reader): ProductLike {
  const code = r.need('code');
  const all = [code, ...code.all('translation')].filter((c) => c.attr('code') !== undefined);
  const product: ProductLike = { name: code.child('originalText')?.text() ?? code.attr('displayName') ?? '' };
  for (const [k, system] of PRODUCT_CODES) {
    const c = all.find((x) => x.attr('codeSystem') === system);
    if (c !== undefined) product[k] = c.attr('code')!;
  }
  const strength = r.child('desc')?.text();
  if (strength !== undefined) product.strength = strength;
  return product;
}

export function quantity(name: string, q: { value: number; unit: string }): XElement {
  return el(
    name,
    { value: String(q.value), unit: '1' },
    el('translation', { value: String(q.value), codeSystem: CODE_SYSTEM.gstdUnit, displayName: q.unit }),
  );
}

export function readQuantity(r: Reader): { value: number; unit: string } {
  const translation = r.child('translation');
  return { value: readNumber(r), unit: translation?.attr('displayName') ?? r.attr('unit') ?? '1' };
}

/** A prescriber: AGB code and BIG number as ids, the name as the person's name. */
export function prescriberElement(p: Prescriber): XElement {
  const ids = [
    p.agb !== undefined && el('id', { root: OID.agb, extension: p.agb }),
    p.big !== undefined && el('id', { root: CODE_SYSTEM.big, extension: p.big }),
  ].filter(Boolean);
  return el(
    'AssignedPerson',
    { classCode: 'ASSIGNED' },
    ids.length > 0 ? ids : el('id', { nullFlavor: 'NI' }),
    el('assignedPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' }, el('name', null, p.name)),
  );
}

export function readPrescriber(r: Reader): Prescriber {
  const ids = r.all('id');
  const agb = findId(ids, OID.agb);
  const big = findId(ids, CODE_SYSTEM.big);
  return {
    name: r.child('assignedPerson')?.child('name')?.text() ?? '',
    ...(agb !== undefined ? { agb } : {}),
    ...(big !== undefined ? { big } : {}),
  };
}
