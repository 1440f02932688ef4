import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PATIENTS, REPO_ROOT, loadTopology, seedDemo } from '@schakel/topology';
import { http, startTestTopology } from './helpers.js';

// The web console in a real browser (issue #16): Debian's Chromium driven by playwright-core, against the
// whole topology as real processes, the console among them. The four demo scenarios of the issue; each
// saves a screenshot that docs/console.md shows (UPDATE_CONSOLE_SCREENSHOTS=1 writes docs/console/, else
// test-results/console/, which git ignores).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_BROWSER = existsSync(CHROMIUM);
if (!HAS_BROWSER)
  process.stdout.write(`console.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);
const SHOTS =
  process.env['UPDATE_CONSOLE_SCREENSHOTS'] === '1'
    ? join(REPO_ROOT, 'docs/console')
    : join(REPO_ROOT, 'test-results/console');

const JAN = '999900146';
const KEES = '999901199';
const INSURANCE_DOCTOR = { uziNumber: '900000048', roleCode: '01.048', name: 'Dr. V. Verzekeringsarts' } as const;

let t: Awaited<ReturnType<typeof startTestTopology>>;
let browser: Browser;
let page: Page;
let consoleUrl: string;

beforeAll(async () => {
  if (!HAS_BROWSER) return;
  const topology = loadTopology();
  // An insurance doctor with a desk at the post, to show a refusal (as tests/consent.test.ts does).
  const post = topology.organisations.find((o) => o.id === 'hap-midden');
  post?.professionals.push(INSURANCE_DOCTOR);
  post?.users.push({ username: 'vverzekering', password: 'vverzekering-test', uziNumber: INSURANCE_DOCTOR.uziNumber });
  t = await startTestTopology({ topology, console: { patients: DEMO_PATIENTS } });
  await seedDemo(t);
  consoleUrl = t.consoleUrl ?? '';
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.cleanup();
});

async function act(who: string, bsn: string, action: string, options: { verbalConsent?: boolean } = {}) {
  await page.goto(consoleUrl);
  await page.selectOption('#who', who);
  await page.fill('#bsn', bsn);
  if (options.verbalConsent === true) await page.check('input[name=verbalConsent]');
  await page.click(`button[name=action][value=${action}]`);
  await page.waitForSelector('#result h3');
}
const shot = (name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

describe.skipIf(!HAS_BROWSER)('the console in a browser', () => {
  it('serves its pages only on a loopback host, and changes only from its own page', async () => {
    expect((await http(`${consoleUrl}/`)).status).toBe(200);
    const rebound = await http(`${consoleUrl}/`, { headers: { host: 'evil.example:7080' } });
    expect([rebound.status, rebound.json?.code]).toEqual([403, 'CONSOLE_REQUEST_REFUSED']);
    const csrf = await http(`${consoleUrl}/operator/policies`, {
      method: 'POST',
      raw: 'name=stopButton&on=off',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([csrf.status, csrf.json?.code]).toEqual([403, 'CONSOLE_REQUEST_REFUSED']);
  });

  it('objection at one pharmacy: the covering GP’s query asks only the other, and the batch says why', async () => {
    // Jan consented at both pharmacies; he objects at Apotheek Zuid through its desk, from the patient page.
    await page.goto(`${consoleUrl}/patient?bsn=${JAN}`);
    const zuid = page.locator('form.holder', { hasText: 'Apotheek Zuid' });
    await zuid.locator('input[value=objection]').check();
    await page.waitForSelector('#patient-view .card.ok');
    expect(await zuid.locator('input[value=objection]').isChecked()).toBe(true);
    await shot('patient.png');

    await act('hap-midden/hdewit', JAN, 'medication');
    const cards = page.locator('#result .card');
    await expect.poll(() => cards.count()).toBe(2);
    expect(await page.locator('#result .card.ok').innerText()).toContain('Apotheek De Vijzel');
    const refused = await page.locator('#result .card.refused').innerText();
    expect(refused).toContain('Apotheek Zuid');
    expect(refused).toContain('CONSENT_OBJECTION');
    expect(refused).toContain('objected');
    // The diagram: the switch point asked De Vijzel (a leg with its time), and not Zuid (crossed out).
    await page.waitForSelector('#sequence svg');
    const diagram = page.locator('#sequence');
    await expect.poll(() => diagram.locator('.arrow.not-sent').count()).toBe(1);
    const hops = await diagram.locator('ol.hops').innerText();
    expect(hops).toMatch(/Schakelpunt \(LSP\) → Apotheek De Vijzel/);
    expect(hops).toMatch(/Apotheek De Vijzel → Schakelpunt \(LSP\): ok/);
    expect(hops).toMatch(/Schakelpunt \(LSP\) → Apotheek Zuid: not asked: CONSENT_OBJECTION/);
    expect(hops).not.toMatch(/Apotheek Zuid → Schakelpunt/);
    await shot('covering-gp-medication.png');
  });

  it('the stop button: a no-choice patient’s summary after verbal consent is refused while it is on, shown once it is off', async () => {
    await act('hap-midden/hdewit', KEES, 'summary', { verbalConsent: true });
    expect(await page.locator('#result').innerText()).toContain('CORONA_STOP_BUTTON');
    await shot('stop-button-on.png');

    await page.goto(`${consoleUrl}/operator`);
    const stop = page.locator('button[role=switch]', { hasText: 'Stop button' });
    expect(await stop.getAttribute('aria-checked')).toBe('true');
    await stop.click();
    await expect
      .poll(() => page.locator('button[role=switch]', { hasText: 'Stop button' }).getAttribute('aria-checked'))
      .toBe('false');
    await shot('operator.png');

    await act('hap-midden/hdewit', KEES, 'summary', { verbalConsent: true });
    const answer = await page.locator('#result').innerText();
    expect(answer).toContain('CORONA_VERBAL_CONSENT');
    expect(await page.locator('#result .card.ok').count()).toBe(1);

    await page.goto(`${consoleUrl}/operator`);
    await page.locator('button[role=switch]', { hasText: 'Stop button' }).click();
    await expect
      .poll(() => page.locator('button[role=switch]', { hasText: 'Stop button' }).getAttribute('aria-checked'))
      .toBe('true');
    await page.click('button:has-text("Check the access log")');
    await page.waitForSelector('#chain .card');
    expect(await page.locator('#chain').innerText()).toContain('intact');
  });

  it('an insurance doctor is refused, and the patient sees the refusal', async () => {
    await act('hap-midden/vverzekering', JAN, 'medication');
    const refusal = await page.locator('#result .card.refused').innerText();
    expect(refusal).toContain('403 NOT_AUTHORISED');
    expect(refusal).toContain('PROTOCOL_DENY');
    await page.waitForSelector('#sequence svg');
    expect(await page.locator('#sequence ol.hops').innerText()).toContain('refused');
    await shot('insurance-doctor-refused.png');

    await page.goto(`${consoleUrl}/patient?bsn=${JAN}`);
    expect(await page.locator('table.log').innerText()).toMatch(
      /verzekeringsarts \(01\.048\)\s+✕?\s*refused PROTOCOL_DENY/,
    );
  });

  it('a report from the SEH arrives in the GP’s inbox', async () => {
    await act('seh-st-anna/syilmaz', JAN, 'report');
    expect(await page.locator('#result').innerText()).toContain('delivered');
    await page.waitForSelector('#sequence svg');
    await expect.poll(() => page.locator('#sequence ol.hops').innerText()).toContain('Huisartsenpraktijk De Linde');
    await shot('seh-report.png');
    await act('gp-de-linde/mjansen', JAN, 'inbox');
    const inbox = await page.locator('#result').innerText();
    expect(inbox).toContain('Observation report from SEH Sint Anna Ziekenhuis');
    expect(inbox).toContain('console demo');
    await shot('gp-inbox.png');
  });
});
