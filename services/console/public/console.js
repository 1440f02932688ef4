/* global document, HTMLInputElement, Element, EventSource, htmx */
// The console's only script (no inline scripts: the pages' CSP allows none). htmx does the forms and
// fragments; this file listens to the live stream and draws each new exchange (issue #16).
(function () {
  'use strict';
  const follow = () => {
    const box = document.getElementById('follow');
    return box instanceof HTMLInputElement && box.checked;
  };
  const show = (id) => {
    if (document.getElementById('sequence') !== null) htmx.ajax('GET', '/exchanges/' + id, '#sequence');
  };
  // After one of our own actions the server names its exchange: draw it at once.
  document.body.addEventListener('show-exchange', (e) => {
    show(e.detail.value);
    if (document.getElementById('recent') !== null) htmx.ajax('GET', '/exchanges', '#recent');
  });
  // Clicking an earlier exchange stops following, so it stays on screen.
  document.body.addEventListener('click', (e) => {
    const link = e.target instanceof Element ? e.target.closest('[data-pick]') : null;
    const box = document.getElementById('follow');
    if (link !== null && box instanceof HTMLInputElement) box.checked = false;
  });
  if (document.getElementById('recent') === null) return;
  const events = new EventSource('/events');
  events.addEventListener('exchange', (e) => {
    htmx.ajax('GET', '/exchanges', '#recent');
    if (follow()) show(e.data);
  });
})();
