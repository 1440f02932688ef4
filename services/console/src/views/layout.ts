import { html, type Html } from './html.js';

const PAGES = [
  ['/', 'Live and act'],
  ['/patient', 'Patient'],
  ['/operator', 'Operator'],
] as const;

/** The page around every view: local assets only (no CDN), a skip link, one h1, the navigation. */
export function layout(title: string, current: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
        <title>${title} · Schakel console</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/htmx.min.js" defer></script>
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <p class="brand">Schakel <span>console</span></p>
          <nav aria-label="Pages">
            <ul>
              ${PAGES.map(
                ([href, label]) =>
                  html`<li><a href="${href}" ${href === current ? html`aria-current="page"` : ''}>${label}</a></li>`,
              )}
            </ul>
          </nav>
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** A problem answer as the console shows it: the code, the detail and the decision, never hidden. */
export function problemBox(problem: {
  status: number;
  code: string;
  title: string;
  detail?: string | undefined;
  decision?: { code: string; rule: string; consentRecordId?: number | undefined; explanation: string } | undefined;
}): Html {
  return html`<div class="card refused" role="alert">
    <p class="status"><span class="badge refused">${problem.status} ${problem.code}</span> ${problem.title}</p>
    ${problem.detail !== undefined ? html`<p>${problem.detail}</p>` : ''}
    ${problem.decision !== undefined ? decisionList(problem.decision) : ''}
  </div>`;
}

export function decisionList(d: {
  code: string;
  rule: string;
  consentRecordId?: number | undefined;
  explanation: string;
}): Html {
  return html`<dl class="decision">
    <dt>Decision</dt>
    <dd><code>${d.code}</code></dd>
    <dt>Rule</dt>
    <dd>${d.rule}</dd>
    <dt>Consent record</dt>
    <dd>${d.consentRecordId !== undefined ? `#${d.consentRecordId}` : 'none'}</dd>
    <dt>Why</dt>
    <dd>${d.explanation}</dd>
  </dl>`;
}
