/**
 * What the generator draws from: common Dutch primary-care conditions (ICPC-1NL), the medication a GP
 * typically prescribes for them (ATC codes are real; G-Standaard style GPK/PRK/ZI numbers are synthetic
 * look-alikes, derived from the product's place in this list), measurements with LOINC codes, and SOEP
 * phrases. Prevalences are rough, for plausibility only.
 */
export interface ProductSpec {
  name: string;
  atc: string;
  strength: string;
  dosage: string;
  unit: string;
  amount: number;
}

const P = (name: string, atc: string, strength: string, dosage: string, amount = 90, unit = 'stuk'): ProductSpec => ({
  name,
  atc,
  strength,
  dosage,
  unit,
  amount,
});

export const PRODUCTS = {
  amlodipine: P('Amlodipine 5 mg tablet', 'C08CA01', '5 mg', '1 maal per dag 1 tablet'),
  metoprolol: P(
    'Metoprolol succinaat 47,5 mg tablet met gereguleerde afgifte',
    'C07AB02',
    '47,5 mg',
    '1 maal per dag 1 tablet',
  ),
  lisinopril: P('Lisinopril 10 mg tablet', 'C09AA03', '10 mg', '1 maal per dag 1 tablet'),
  losartan: P('Losartan kalium 50 mg tablet', 'C09CA01', '50 mg', '1 maal per dag 1 tablet'),
  hctz: P('Hydrochloorthiazide 12,5 mg tablet', 'C03AA03', '12,5 mg', '1 maal per dag 1 tablet ’s ochtends'),
  metformine: P('Metformine 500 mg tablet', 'A10BA02', '500 mg', '2 maal per dag 1 tablet bij de maaltijd', 180),
  gliclazide: P('Gliclazide 80 mg tablet', 'A10BB09', '80 mg', '1 maal per dag 1 tablet bij het ontbijt'),
  simvastatine: P('Simvastatine 40 mg tablet', 'C10AA01', '40 mg', '1 maal per dag 1 tablet ’s avonds'),
  atorvastatine: P('Atorvastatine 20 mg tablet', 'C10AA05', '20 mg', '1 maal per dag 1 tablet'),
  salbutamol: P(
    'Salbutamol 100 microgram/dosis aerosol',
    'R03AC02',
    '100 µg/dosis',
    'zo nodig 1-2 inhalaties, maximaal 8 per dag',
    1,
    'inhalator',
  ),
  fluticason: P(
    'Fluticason 250 microgram/dosis aerosol',
    'R03BA05',
    '250 µg/dosis',
    '2 maal per dag 1 inhalatie',
    1,
    'inhalator',
  ),
  tiotropium: P(
    'Tiotropium 2,5 microgram/dosis inhalatievloeistof',
    'R03BB04',
    '2,5 µg/dosis',
    '1 maal per dag 2 inhalaties',
    1,
    'inhalator',
  ),
  sertraline: P('Sertraline 50 mg tablet', 'N06AB06', '50 mg', '1 maal per dag 1 tablet'),
  citalopram: P('Citalopram 20 mg tablet', 'N06AB04', '20 mg', '1 maal per dag 1 tablet'),
  omeprazol: P(
    'Omeprazol 20 mg capsule maagsapresistent',
    'A02BC01',
    '20 mg',
    '1 maal per dag 1 capsule voor het ontbijt',
  ),
  pantoprazol: P('Pantoprazol 40 mg tablet maagsapresistent', 'A02BC02', '40 mg', '1 maal per dag 1 tablet'),
  levothyroxine: P('Levothyroxine 100 microgram tablet', 'H03AA01', '100 µg', '1 maal per dag 1 tablet nuchter'),
  apixaban: P('Apixaban 5 mg tablet', 'B01AF02', '5 mg', '2 maal per dag 1 tablet', 180),
  furosemide: P('Furosemide 40 mg tablet', 'C03CA01', '40 mg', '1 maal per dag 1 tablet ’s ochtends'),
  allopurinol: P('Allopurinol 100 mg tablet', 'M04AA01', '100 mg', '1 maal per dag 1 tablet'),
  tamsulosine: P(
    'Tamsulosine 0,4 mg capsule met gereguleerde afgifte',
    'G04CA02',
    '0,4 mg',
    '1 maal per dag 1 capsule',
  ),
  alendronine: P('Alendroninezuur 70 mg tablet', 'M05BA04', '70 mg', '1 maal per week 1 tablet nuchter', 12),
  ascal: P('Carbasalaatcalcium 100 mg bruistablet', 'B01AC08', '100 mg', '1 maal per dag 1 tablet'),
  paracetamol: P('Paracetamol 500 mg tablet', 'N02BE01', '500 mg', 'zo nodig 4 maal per dag 2 tabletten', 50),
  naproxen: P('Naproxen 500 mg tablet', 'M01AE02', '500 mg', 'zo nodig 2 maal per dag 1 tablet', 30),
  diclofenac: P(
    'Diclofenac natrium 50 mg tablet maagsapresistent',
    'M01AB05',
    '50 mg',
    'zo nodig 3 maal per dag 1 tablet',
    30,
  ),
  amoxicilline: P('Amoxicilline 500 mg capsule', 'J01CA04', '500 mg', '3 maal per dag 1 capsule, 7 dagen', 21),
  nitrofurantoine: P(
    'Nitrofurantoïne 100 mg capsule met gereguleerde afgifte',
    'J01XE01',
    '100 mg',
    '2 maal per dag 1 capsule, 5 dagen',
    10,
  ),
  doxycycline: P(
    'Doxycycline 100 mg tablet',
    'J01AA02',
    '100 mg',
    'eerste dag 2 tabletten, daarna 1 maal per dag 1 tablet',
    8,
  ),
  oxazepam: P('Oxazepam 10 mg tablet', 'N05BA04', '10 mg', 'zo nodig 1 tablet voor de nacht', 20),
  temazepam: P('Temazepam 10 mg capsule', 'N05CD07', '10 mg', 'zo nodig 1 capsule voor de nacht', 10),
  sumatriptan: P(
    'Sumatriptan 50 mg tablet',
    'N02CC01',
    '50 mg',
    'bij migraineaanval 1 tablet, zo nodig na 2 uur herhalen',
    6,
  ),
  triamcinolon: P('Triamcinolonacetonide 1 mg/g crème', 'D07AB09', '0,1%', '1-2 maal per dag dun aanbrengen', 30, 'g'),
  colchicine: P('Colchicine 0,5 mg tablet', 'M04AC01', '0,5 mg', '2 maal per dag 1 tablet, 3 dagen', 10),
} as const satisfies Record<string, ProductSpec>;
export type ProductId = keyof typeof PRODUCTS;
const PRODUCT_IDS = Object.keys(PRODUCTS) as ProductId[];

/** Synthetic G-Standaard style codes for a product, stable per product. */
export function productCodes(id: ProductId): { gpk: string; prk: string; hpk: string; zi: string } {
  const i = PRODUCT_IDS.indexOf(id) + 1;
  return {
    gpk: String(20000 + i * 173),
    prk: String(30000 + i * 211),
    hpk: String(400000 + i * 997),
    zi: String(14000000 + i * 7919).padStart(8, '0'),
  };
}

export interface MeasurementSpec {
  name: string;
  loinc: string;
  unit: string;
  min: number;
  max: number;
  decimals: number;
}
const M = (name: string, loinc: string, unit: string, min: number, max: number, decimals = 0): MeasurementSpec => ({
  name,
  loinc,
  unit,
  min,
  max,
  decimals,
});
export const MEASUREMENTS = {
  rrSys: M('RR systolisch', '8480-6', 'mm[Hg]', 118, 172),
  rrDia: M('RR diastolisch', '8462-4', 'mm[Hg]', 68, 102),
  hba1c: M('HbA1c', '4548-4', 'mmol/mol', 42, 78),
  glucose: M('Glucose nuchter (veneus)', '1558-6', 'mmol/l', 5.6, 10.5, 1),
  egfr: M('eGFR (CKD-EPI)', '62238-1', 'ml/min/1,73m2', 35, 95),
  ldl: M('LDL-cholesterol', '13457-7', 'mmol/l', 1.8, 4.6, 1),
  chol: M('Totaal cholesterol', '2093-3', 'mmol/l', 3.8, 7.2, 1),
  weight: M('Gewicht', '29463-7', 'kg', 52, 118, 1),
  pulse: M('Hartfrequentie', '8867-4', '/min', 58, 112),
  tsh: M('TSH', '3016-3', 'mU/l', 0.6, 6.5, 1),
  ntprobnp: M('NT-proBNP', '33762-6', 'ng/l', 180, 2400),
} as const satisfies Record<string, MeasurementSpec>;
export type MeasurementId = keyof typeof MEASUREMENTS;

export interface ConditionSpec {
  icpc: string;
  title: string;
  /** Chance per patient by age band: [<18, 18-44, 45-64, 65-79, 80+]. */
  prevalence: [number, number, number, number, number];
  medication: ProductId[][];
  measurements: MeasurementId[];
  soep: { S: string[]; O: string[]; E: string; P: string[] };
  sex?: 'F' | 'M';
}

/** Chronic conditions: an open episode, controls in the journal, current medication, measurements. */
export const CHRONIC: ConditionSpec[] = [
  {
    icpc: 'K86',
    title: 'Hypertensie zonder orgaanbeschadiging',
    prevalence: [0, 0.04, 0.2, 0.38, 0.45],
    medication: [['amlodipine'], ['lisinopril'], ['losartan', 'hctz'], ['metoprolol']],
    measurements: ['rrSys', 'rrDia', 'weight'],
    soep: {
      S: [
        'Komt voor controle bloeddruk, geen klachten.',
        'Soms wat hoofdpijn ’s ochtends.',
        'Gebruikt medicatie trouw.',
      ],
      O: ['RR {rrSys}/{rrDia} mmHg, pols regulair.', 'RR {rrSys}/{rrDia}, gewicht {weight} kg.'],
      E: 'Hypertensie',
      P: [
        'Medicatie continueren, controle over 3 maanden.',
        'Leefstijladvies besproken, zoutbeperking.',
        'Dosis ophogen, controle over 4 weken.',
      ],
    },
  },
  {
    icpc: 'T90.02',
    title: 'Diabetes mellitus type 2',
    prevalence: [0, 0.01, 0.07, 0.16, 0.2],
    medication: [['metformine'], ['metformine', 'gliclazide']],
    measurements: ['hba1c', 'glucose', 'egfr', 'weight'],
    soep: {
      S: ['DM-controle bij POH, voelt zich goed.', 'Meer dorst de laatste weken.', 'Geen hypo’s gehad.'],
      O: ['HbA1c {hba1c} mmol/mol, glucose {glucose}.', 'Voeten: sensibiliteit intact, geen wondjes.'],
      E: 'Diabetes mellitus type 2',
      P: [
        'Beleid ongewijzigd, kwartaalcontrole.',
        'Metformine ophogen, dieetadvies.',
        'Jaarcontrole incl. fundusscreening aangevraagd.',
      ],
    },
  },
  {
    icpc: 'T93',
    title: 'Lipidenstoornis',
    prevalence: [0, 0.02, 0.12, 0.22, 0.2],
    medication: [['simvastatine'], ['atorvastatine']],
    measurements: ['ldl', 'chol'],
    soep: {
      S: ['Controle cholesterol, geen spierklachten.'],
      O: ['LDL {ldl} mmol/l.'],
      E: 'Hypercholesterolemie',
      P: ['Statine continueren.', 'Statine gestart, lab over 3 maanden.'],
    },
  },
  {
    icpc: 'R96',
    title: 'Astma',
    prevalence: [0.06, 0.06, 0.05, 0.05, 0.04],
    medication: [['salbutamol'], ['salbutamol', 'fluticason']],
    measurements: [],
    soep: {
      S: ['Meer benauwd bij inspanning en kou.', 'Astmacontrole, gebruikt puffer 2x per week.'],
      O: ['Longen: verlengd expirium, geen crepitaties.', 'Longen: vesiculair ademgeruis.'],
      E: 'Astma, redelijk onder controle',
      P: ['Inhalatietechniek gecontroleerd, ICS continueren.', 'Controle over 3 maanden.'],
    },
  },
  {
    icpc: 'R95',
    title: 'COPD',
    prevalence: [0, 0, 0.03, 0.08, 0.1],
    medication: [['tiotropium', 'salbutamol']],
    measurements: ['weight'],
    soep: {
      S: ['Hoest met opgeven, meer kortademig.', 'COPD-controle, rookt nog 10 sigaretten per dag.'],
      O: ['Longen: verlengd expirium, verspreid rhonchi.', 'Saturatie 94%.'],
      E: 'COPD GOLD 2',
      P: ['Stoppen-met-rokenadvies, controle POH.', 'Inhalatiemedicatie continueren.'],
    },
  },
  {
    icpc: 'P76',
    title: 'Depressie',
    prevalence: [0.01, 0.05, 0.05, 0.04, 0.03],
    medication: [['sertraline'], ['citalopram']],
    measurements: [],
    soep: {
      S: ['Somberheid, slecht slapen, weinig energie.', 'Gaat iets beter sinds start medicatie.'],
      O: ['Vlak affect, geen suïcidale gedachten.'],
      E: 'Depressieve stoornis',
      P: ['Verwijzing POH-GGZ.', 'Medicatie continueren, vervolgafspraak over 6 weken.'],
    },
  },
  {
    icpc: 'K78',
    title: 'Atriumfibrilleren',
    prevalence: [0, 0, 0.02, 0.07, 0.13],
    medication: [['apixaban', 'metoprolol']],
    measurements: ['pulse'],
    soep: {
      S: ['Hartkloppingen en moe.', 'Controle antistolling, geen bloedingen.'],
      O: ['Pols irregulair, {pulse}/min.', 'ECG: atriumfibrilleren.'],
      E: 'Atriumfibrilleren',
      P: ['Antistolling continueren, nierfunctie jaarlijks.', 'Verwijzing cardioloog.'],
    },
  },
  {
    icpc: 'K77',
    title: 'Decompensatio cordis',
    prevalence: [0, 0, 0.005, 0.04, 0.1],
    medication: [['furosemide', 'lisinopril']],
    measurements: ['weight', 'ntprobnp', 'egfr'],
    soep: {
      S: ['Dikke enkels, ’s nachts kortademig.', 'Gewicht stabiel, minder oedeem.'],
      O: ['Pitting oedeem enkels, crepitaties basaal.', 'Gewicht {weight} kg.'],
      E: 'Hartfalen',
      P: ['Furosemide ophogen, dagelijks wegen.', 'Controle over 2 weken.'],
    },
  },
  {
    icpc: 'T86',
    title: 'Hypothyreoïdie',
    prevalence: [0, 0.02, 0.04, 0.05, 0.05],
    sex: 'F',
    medication: [['levothyroxine']],
    measurements: ['tsh'],
    soep: {
      S: ['Moe, koude-intolerantie.', 'Controle schildklier, klachten verminderd.'],
      O: ['TSH {tsh} mU/l.'],
      E: 'Hypothyreoïdie',
      P: ['Levothyroxine continueren, TSH over 6 weken.'],
    },
  },
  {
    icpc: 'D84',
    title: 'Refluxziekte',
    prevalence: [0, 0.03, 0.06, 0.08, 0.08],
    medication: [['omeprazol'], ['pantoprazol']],
    measurements: [],
    soep: {
      S: ['Zuurbranden na het eten, vooral ’s avonds.'],
      O: ['Buik: soepel, geen drukpijn epigastrio.'],
      E: 'Refluxklachten',
      P: ['PPI, leefstijladvies (hoofdeinde bed omhoog).'],
    },
  },
  {
    icpc: 'L90',
    title: 'Artrose knie',
    prevalence: [0, 0.01, 0.06, 0.12, 0.15],
    medication: [['paracetamol']],
    measurements: ['weight'],
    soep: {
      S: ['Pijnlijke knie bij traplopen, ochtendstijfheid kort.'],
      O: ['Knie: crepitaties, geen hydrops.'],
      E: 'Gonartrose',
      P: ['Paracetamol, verwijzing fysiotherapie.'],
    },
  },
  {
    icpc: 'Y85',
    title: 'Benigne prostaathypertrofie',
    prevalence: [0, 0, 0.08, 0.2, 0.25],
    sex: 'M',
    medication: [['tamsulosine']],
    measurements: [],
    soep: {
      S: ['Slappe straal, ’s nachts 2x plassen.'],
      O: ['Urine: geen nitriet.'],
      E: 'Mictieklachten bij BPH',
      P: ['Tamsulosine gestart.'],
    },
  },
  {
    icpc: 'L95',
    title: 'Osteoporose',
    prevalence: [0, 0, 0.02, 0.08, 0.14],
    sex: 'F',
    medication: [['alendronine']],
    measurements: [],
    soep: {
      S: ['Rugpijn na val.'],
      O: ['DEXA: T-score -2,8.'],
      E: 'Osteoporose',
      P: ['Alendroninezuur, calcium/vitamine D.'],
    },
  },
  {
    icpc: 'K90',
    title: 'CVA',
    prevalence: [0, 0, 0.01, 0.04, 0.07],
    medication: [['ascal', 'atorvastatine']],
    measurements: ['rrSys', 'rrDia'],
    soep: {
      S: ['Controle na CVA, spraak verbeterd.'],
      O: ['RR {rrSys}/{rrDia}, lichte parese rechterhand.'],
      E: 'Status na CVA',
      P: ['Secundaire preventie continueren.'],
    },
  },
];

/** Acute problems: a short (mostly closed) episode with one or two contacts, sometimes a short course. */
export const ACUTE: ConditionSpec[] = [
  {
    icpc: 'R78',
    title: 'Acute bronchitis',
    prevalence: [0.05, 0.04, 0.04, 0.05, 0.06],
    medication: [[], ['doxycycline']],
    measurements: [],
    soep: {
      S: ['Hoest sinds 10 dagen, koorts gehad.'],
      O: ['Longen: verspreid rhonchi, T 37,9.'],
      E: 'Acute bronchitis',
      P: ['Uitleg natuurlijk beloop, terugkomen bij koorts > 3 dagen.'],
    },
  },
  {
    icpc: 'U71',
    title: 'Urineweginfectie',
    prevalence: [0.02, 0.06, 0.05, 0.07, 0.09],
    medication: [['nitrofurantoine']],
    measurements: [],
    soep: {
      S: ['Branderig gevoel bij plassen, vaak aandrang.'],
      O: ['Urine: nitriet positief, leukocyten ++.'],
      E: 'Cystitis',
      P: ['Nitrofurantoïne 5 dagen.'],
    },
  },
  {
    icpc: 'H71',
    title: 'Otitis media acuta',
    prevalence: [0.12, 0.02, 0.01, 0.01, 0.01],
    medication: [['paracetamol'], ['amoxicilline']],
    measurements: [],
    soep: {
      S: ['Oorpijn en koorts sinds 2 dagen.'],
      O: ['Trommelvlies rood en bomberend.'],
      E: 'Otitis media acuta',
      P: ['Pijnstilling, terugkomen bij verslechtering.'],
    },
  },
  {
    icpc: 'L03',
    title: 'Lage rugpijn',
    prevalence: [0.01, 0.07, 0.08, 0.06, 0.04],
    medication: [['naproxen'], ['paracetamol']],
    measurements: [],
    soep: {
      S: ['Acute rugpijn na tillen, geen uitstraling.'],
      O: ['Lasègue negatief, geen neurologische uitval.'],
      E: 'Aspecifieke lage rugpijn',
      P: ['Blijven bewegen, NSAID kortdurend.'],
    },
  },
  {
    icpc: 'S88',
    title: 'Eczeem',
    prevalence: [0.06, 0.03, 0.02, 0.02, 0.02],
    medication: [['triamcinolon']],
    measurements: [],
    soep: {
      S: ['Jeukende rode plekken op de armen.'],
      O: ['Erythemateuze, schilferende plaques flexoren.'],
      E: 'Eczeem',
      P: ['Corticosteroïdcrème klasse 2, vette zalf.'],
    },
  },
  {
    icpc: 'N89',
    title: 'Migraine',
    prevalence: [0.01, 0.06, 0.04, 0.01, 0.005],
    medication: [['sumatriptan']],
    measurements: [],
    soep: {
      S: ['Bonzende hoofdpijn met misselijkheid, 2x per maand.'],
      O: ['Neurologisch onderzoek zonder afwijkingen.'],
      E: 'Migraine zonder aura',
      P: ['Triptan bij aanval, hoofdpijndagboek.'],
    },
  },
  {
    icpc: 'P06',
    title: 'Slaapproblemen',
    prevalence: [0, 0.03, 0.04, 0.05, 0.06],
    medication: [[], ['temazepam']],
    measurements: [],
    soep: {
      S: ['Slaapt slecht in sinds overlijden partner.'],
      O: ['Geen tekenen van depressie.'],
      E: 'Slapeloosheid',
      P: ['Slaaphygiëne besproken, kortdurend slaapmiddel.'],
    },
  },
  {
    icpc: 'T92',
    title: 'Jicht',
    prevalence: [0, 0.01, 0.02, 0.03, 0.03],
    sex: 'M',
    medication: [['colchicine']],
    measurements: [],
    soep: {
      S: ['Plotseling pijnlijke, dikke grote teen.'],
      O: ['MTP-1 rood, warm, gezwollen.'],
      E: 'Jichtaanval',
      P: ['Colchicine, bij recidief urinezuur bepalen.'],
    },
  },
];

/** Episodes a patient may ask to shield (the summary never shows them). */
export const SHIELDABLE: ConditionSpec[] = [
  {
    icpc: 'P15',
    title: 'Chronisch alcoholmisbruik',
    prevalence: [0, 0.01, 0.01, 0.01, 0],
    medication: [[]],
    measurements: [],
    soep: {
      S: ['Drinkt dagelijks 6-8 eenheden, wil minderen.'],
      O: ['Gamma-GT verhoogd.'],
      E: 'Alcoholmisbruik',
      P: ['Motiverende gespreksvoering, verwijzing verslavingszorg besproken.'],
    },
  },
  {
    icpc: 'W82',
    title: 'Miskraam',
    prevalence: [0, 0.02, 0, 0, 0],
    sex: 'F',
    medication: [[]],
    measurements: [],
    soep: {
      S: ['Bloedverlies bij 9 weken zwangerschap.'],
      O: ['Echo: geen hartactie.'],
      E: 'Miskraam',
      P: ['Expectatief beleid, nazorg besproken.'],
    },
  },
  {
    icpc: 'P74',
    title: 'Angststoornis',
    prevalence: [0, 0.02, 0.01, 0.01, 0],
    medication: [['oxazepam']],
    measurements: [],
    soep: {
      S: ['Paniekaanvallen op het werk.'],
      O: ['Gespannen, hyperventileert.'],
      E: 'Paniekstoornis',
      P: ['Psycho-educatie, verwijzing POH-GGZ.'],
    },
  },
];

export const ALLERGIES = [
  { kind: 'allergy', substance: 'Penicillines', atc: 'J01C', reaction: 'Urticaria', severity: 'moderate' },
  { kind: 'allergy', substance: 'Sulfonamiden', atc: 'J01E', reaction: 'Exantheem', severity: 'mild' },
  { kind: 'intolerance', substance: 'NSAID’s', atc: 'M01A', reaction: 'Maagklachten', severity: 'mild' },
  { kind: 'allergy', substance: 'Jodiumhoudend contrastmiddel', reaction: 'Benauwdheid', severity: 'severe' },
  { kind: 'intolerance', substance: 'Codeïne', atc: 'R05DA04', reaction: 'Misselijkheid en braken', severity: 'mild' },
  { kind: 'allergy', substance: 'Pinda', reaction: 'Anafylaxie', severity: 'severe' },
  { kind: 'allergy', substance: 'Pleisters (colofonium)', reaction: 'Contacteczeem', severity: 'mild' },
] as const;

export const COVERING_NOTES = [
  'Woont alleen; dochter is eerste contactpersoon.',
  'Mantelzorger: echtgenote, zelf ook zorgbehoevend.',
  'Patiënt is doof; communiceren via tolk of schriftelijk.',
  'Spreekt weinig Nederlands; zoon tolkt (06-nummer in dossier).',
  'Palliatieve fase; afspraken over beleid in thuisdossier.',
  'Verhoogd valrisico; let op bij acute verwardheid (eerder delier).',
  'Angstig bij artsbezoek; rustig benaderen.',
];

export const TREATMENT_LIMIT_KINDS = [
  'niet-reanimeren',
  'geen-ziekenhuisopname',
  'geen-ambulancevervoer',
  'geen-ic-opname',
  'geen-beademing',
] as const;
