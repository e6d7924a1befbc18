// ui.test.mjs - the search pages in headless Chromium against the real iqn-searchd over
// corpus/records: search, filters and chips, pagination, sort, language toggle, record pages,
// back/forward, rendering without JavaScript, keyboard-only use, suggestions, feeds, OpenSearch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUp, newPage } from './harness.mjs';

let env;

before(async () => { env = await setUp(); });
after(async () => { if (env) await env.tearDown(); });

/* The number in the results heading ("About 1,234 results" / "Environ 1 234 résultats"). */
async function total(page) {
  const text = await page.locator('#results-heading').innerText();
  const m = /(\d[\d,\u00a0\u202f ]*)/.exec(text);
  return m ? Number(m[1].replace(/[^\d]/g, '')) : 0;
}

/* Wait until the results region was swapped in (the script sets aria-busy while loading). */
async function settled(page) {
  await page.waitForFunction(() => !document.getElementById('search-region').hasAttribute('aria-busy'));
}

async function marker(page) {
  await page.evaluate(() => { window.__noReload = true; });
}

async function stillSamePage(page) {
  return page.evaluate(() => window.__noReload === true);
}

function params(page) {
  return new URL(page.url()).searchParams;
}

test('search: box kept filled, count, ten results with title, type, date, snippet and badges', async () => {
  const page = await newPage(env);
  await page.goto('/en/search');
  await page.fill('#q', 'nurse');
  await page.press('#q', 'Enter');
  await page.waitForURL(/q=nurse/);
  await settled(page);
  assert.equal(await page.inputValue('#q'), 'nurse');
  assert.match(await page.locator('#results-heading').innerText(), /^About \d+ results for “nurse”$/);
  assert.ok(await total(page) > 10);
  const items = page.locator('.result-list > .result');
  assert.equal(await items.count(), 10);
  const first = items.first();
  assert.ok((await first.locator('.result-title a').getAttribute('href')).startsWith('/en/records/'));
  assert.ok(await first.locator('.result-type').count() === 1);
  assert.match(await first.locator('time').first().innerText(), /^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
  assert.ok(await page.locator('.result-snippet mark').count() > 0, 'highlighted terms');
  assert.ok(await page.locator('.result .badge').count() > 0, 'badges');
  assert.equal(await page.title(), `About ${await total(page)} results for “nurse” - IQN Search`);
  assert.deepEqual(page.problems, []);
});

test('filters: checkbox updates in place, keeps other values selectable, chips remove and clear', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=nurse');
  const before = await total(page);
  const provinces = await page.locator('#facet-province input[type=checkbox]').count();
  await marker(page);
  await page.check('#f-province-ON');
  await page.waitForURL(/province=ON/);
  await settled(page);
  assert.ok(await stillSamePage(page), 'no full reload');
  const withOn = await total(page);
  assert.ok(withOn > 0 && withOn < before);
  assert.ok(await page.isChecked('#f-province-ON'));
  // disjunctive counts: the other provinces are still offered, with their own counts
  assert.equal(await page.locator('#facet-province input[type=checkbox]').count(), provinces);
  // the focus stays on the checkbox, and the count is announced
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-province-ON');
  await page.waitForFunction(() => /results/.test(document.getElementById('search-status').textContent));
  // a second value of the same facet widens the search
  await page.check('#f-province-QC');
  await page.waitForURL(/province=QC/);
  await settled(page);
  assert.ok(await total(page) > withOn);
  assert.equal(await page.locator('.chips .chip').count(), 2);
  // a chip removes its filter
  await page.locator('.chips .chip', { hasText: 'Quebec' }).click();
  await page.waitForURL((u) => !/province=QC/.test(u.search));
  await settled(page);
  assert.equal(await total(page), withOn);
  // a year range is a filter too
  await page.selectOption('#f-from', '2019');
  await page.waitForURL(/from=2019/);
  await settled(page);
  assert.ok(await page.locator('.chips .chip', { hasText: '2019' }).count() === 1);
  // clear all
  await page.click('#clear-all');
  await page.waitForURL((u) => !/province=|from=/.test(u.search));
  await settled(page);
  assert.equal(await total(page), before);
  assert.equal(await page.locator('.chips').count(), 0);
  assert.equal(params(page).get('q'), 'nurse');
  assert.ok(await stillSamePage(page));
  assert.deepEqual(page.problems, []);
});

test('did-you-mean offers the corrected query and runs it in place', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=nurese%20bridgng');
  assert.match(await page.locator('.did-you-mean').innerText(), /^Did you mean .+\?$/);
  await marker(page);
  await page.click('#did-you-mean');
  await page.waitForURL((u) => u.searchParams.get('q') !== 'nurese bridgng');
  await settled(page);
  assert.ok(await stillSamePage(page));
  assert.ok(await total(page) > 0);
  assert.equal(await page.inputValue('#q'), params(page).get('q'));
  await page.goto('/fr/recherche?q=infirmiere%20pasrelle');
  assert.match(await page.locator('.did-you-mean').innerText(), /^Vouliez-vous dire .+\u00a0\?$/);
  assert.deepEqual(page.problems, []);
});

test('profession filter box narrows the list as you type', async () => {
  const page = await newPage(env);
  await page.goto('/en/search');
  const all = await page.locator('#profession-list > li:visible').count();
  await page.fill('#pf', 'nurs');
  const some = await page.locator('#profession-list > li:visible').count();
  assert.ok(some > 0 && some < all, `${some} of ${all}`);
  for (const text of await page.locator('#profession-list > li:visible label').allInnerTexts()) {
    assert.match(text.toLowerCase(), /nurs/);
  }
  await page.fill('#pf', 'qqqqqq');
  assert.ok(await page.isVisible('#pf-none'));
  assert.deepEqual(page.problems, []);
});

test('pagination and sort keep the URL in step; back and forward restore each state', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=nurse');
  const firstTitle = await page.locator('.result-title a').first().innerText();
  await marker(page);
  await page.click('.pagination a[rel=next]');
  await page.waitForURL(/page=2/);
  await settled(page);
  assert.equal(await page.locator('.pagination a[aria-current=page]').innerText(), '2');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'results-heading');
  assert.notEqual(await page.locator('.result-title a').first().innerText(), firstTitle);
  await page.selectOption('#sort', '-date');
  await page.waitForURL(/sort=-date/);
  await settled(page);
  assert.equal(params(page).get('page'), null, 'a new sort starts on page one');
  const dates = await page.locator('.result-meta time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  assert.ok(dates.length >= 5);
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('page') === '2' && !u.searchParams.get('sort'));
  await settled(page);
  assert.equal(await page.locator('.pagination a[aria-current=page]').innerText(), '2');
  assert.equal(await page.inputValue('#sort'), 'relevance');
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.get('page'));
  await settled(page);
  assert.equal(await page.locator('.result-title a').first().innerText(), firstTitle);
  await page.goForward();
  await page.waitForURL(/page=2/);
  await settled(page);
  assert.equal(await page.locator('.pagination a[aria-current=page]').innerText(), '2');
  assert.ok(await stillSamePage(page), 'history moves without reloads');
  assert.deepEqual(page.problems, []);
});

test('language toggle leads to the same search in French, with French labels and formats', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=nurse&province=ON&sort=-date');
  await page.click('#lang-toggle');
  await page.waitForURL(/\/fr\/recherche\?/);
  const p = params(page);
  assert.equal(p.get('q'), 'nurse');
  assert.equal(p.get('province'), 'ON');
  assert.equal(p.get('sort'), '-date');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.locator('#results-heading').innerText(), /^(Environ \d+\u00a0résultats|\d\u00a0résultat) pour «\u00a0nurse\u00a0»$/);
  assert.match(await page.locator('.result-meta time').first().innerText(), /^(1er|\d{1,2}) [a-zéû]+ \d{4}$/);
  assert.equal(await page.locator('#facet-province legend').innerText(), 'Province ou territoire');
  assert.equal(await page.locator('#lang-toggle').innerText(), 'English');
  assert.equal(await page.getAttribute('#lang-toggle', 'lang'), 'en');
  await page.click('#lang-toggle');
  await page.waitForURL(/\/en\/search\?/);
  assert.equal(params(page).get('province'), 'ON');
  assert.deepEqual(page.problems, []);
});

test('record page: fields, other-language version, similar records', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=Sudbury bridging nurses');
  await page.locator('.result-title a').first().click();
  await page.waitForURL(/\/en\/records\//);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  assert.ok((await page.locator('h1').innerText()).length > 5);
  assert.equal(await page.locator('.fields dt', { hasText: 'Identifier' }).count(), 1);
  assert.equal(await page.locator('.fields dd code').innerText(), id);
  assert.ok(await page.locator('.fields dt').count() >= 5);
  assert.ok(await page.locator('.similar .result').count() > 0, 'similar records');
  // the record of the corpus with a French version
  await page.goto('/en/records/central-on-ien-bridge-sudbury');
  assert.match(await page.locator('.fields time').innerText(), /^September 3, 2019$/);
  assert.equal(await page.locator('.fields dt', { hasText: 'Provinces and territories' }).count(), 1);
  await page.click('#pair-link');
  await page.waitForURL(/\/fr\/dossiers\/central-on-passerelle-infirmieres-sudbury$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.locator('.fields time').innerText(), /^3 septembre 2019$/);
  assert.equal(await page.locator('.fields dt', { hasText: 'Provinces et territoires' }).count(), 1);
  // the toggle of a French record's French page leads to its English version
  assert.equal(await page.getAttribute('#lang-toggle', 'href'), '/en/records/central-on-ien-bridge-sudbury');
  // a French record on an English page is marked lang="fr"
  await page.goto('/en/records/central-on-passerelle-infirmieres-sudbury');
  assert.equal(await page.getAttribute('h1', 'lang'), 'fr');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  // unknown records get a 404 page in the page's language
  const resp = await page.goto('/fr/dossiers/no-such-record');
  assert.equal(resp.status(), 404);
  assert.equal(await page.locator('h1').innerText(), 'Dossier introuvable');
  assert.deepEqual(page.problems, []);
});

test('without JavaScript the server renders everything and the filters are a GET form', async () => {
  const page = await newPage(env, { javaScriptEnabled: false });
  await page.goto('/en/search?q=nurse');
  assert.equal(await page.getAttribute('html', 'class'), 'no-js');
  assert.equal(await page.locator('.result-list > .result').count(), 10);
  const before = await total(page);
  await page.check('#f-type-report');
  await page.click('#filters-form button[type=submit]');
  await page.waitForURL(/type=report/);
  assert.equal(params(page).get('q'), 'nurse');
  assert.ok(await total(page) < before);
  assert.ok(await page.isChecked('#f-type-report'));
  // profession search box without JS: sent with the form, the server narrows the list
  await page.fill('#pf', 'nurse');
  await page.click('#filters-form button[type=submit]');
  await page.waitForURL(/pf=nurse/);
  for (const text of await page.locator('#profession-list > li:visible label').allInnerTexts()) {
    assert.match(text.toLowerCase(), /nurse/);
  }
  // sort has its own button
  await page.selectOption('#sort', '-date');
  await page.click('#sort-form button[type=submit]');
  await page.waitForURL(/sort=-date/);
  assert.equal(params(page).get('type'), 'report');
  // chips and pagination are plain links
  await page.goto('/en/search?q=nurse&province=ON');
  await page.locator('.chips .chip').first().click();
  await page.waitForURL((u) => !u.searchParams.get('province'));
  await page.click('.pagination a[rel=next]');
  await page.waitForURL(/page=2/);
  assert.equal(await page.locator('.pagination a[aria-current=page]').innerText(), '2');
  // a new query keeps the filters through the search form's hidden fields
  await page.goto('/en/search?q=nurse&province=ON');
  await page.fill('#q', 'engineer');
  await page.click('#search-button');
  await page.waitForURL(/q=engineer/);
  assert.equal(params(page).get('province'), 'ON');
  assert.deepEqual(page.problems, []);
});

test('keyboard only: Tab to the box, Enter to search, Tab to a filter, Enter and Space toggle it', async () => {
  const page = await newPage(env);
  await page.goto('/en/search');
  let focused = '';
  for (let i = 0; i < 10 && focused !== 'q'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement.id);
  }
  assert.equal(focused, 'q');
  await page.keyboard.type('nurse');
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=nurse/);
  await settled(page);
  // the skip link of the filter column and the first checkbox are reachable with Tab
  for (let i = 0; i < 10 && !/^f-type-/.test(focused); i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement.id);
  }
  assert.match(focused, /^f-type-/);
  const visible = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  });
  assert.ok(visible, 'visible focus');
  await page.keyboard.press('Enter');
  await page.waitForURL(/type=/);
  await settled(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), focused);
  assert.ok(await page.isChecked('#' + focused));
  await page.keyboard.press('Space');
  await page.waitForURL((u) => !u.searchParams.get('type'));
  await settled(page);
  assert.ok(!(await page.isChecked('#' + focused)));
  assert.deepEqual(page.problems, []);
});

test('suggestions: a listbox when the endpoint answers, a plain box when it does not', async () => {
  const page = await newPage(env);
  const probe = await fetch(`${env.daemon.base}/api/v1/suggest?q=nur&ui_lang=en`);
  await page.goto('/en/search');
  assert.equal(await page.getAttribute('#q', 'role'), 'combobox');
  await page.click('#q');
  await page.keyboard.type('nur');
  if (probe.status === 200 && (await probe.json()).suggestions.length > 0) {
    await page.waitForSelector('#q-suggest [role=option]');
    assert.equal(await page.getAttribute('#q', 'aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    const activeId = await page.getAttribute('#q', 'aria-activedescendant');
    assert.equal(await page.getAttribute('#' + activeId, 'aria-selected'), 'true');
    await page.keyboard.press('Escape');
    assert.equal(await page.getAttribute('#q', 'aria-expanded'), 'false');
  } else {
    await page.waitForTimeout(600);
    assert.equal(await page.getAttribute('#q', 'aria-expanded'), 'false');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=nur/);
  }
  assert.deepEqual(page.problems.filter((p) => !/suggest/.test(p)), []);
});

test('text from the URL is escaped everywhere', async () => {
  const page = await newPage(env);
  const evil = '<img src=x onerror=alert(1)>"\'&';
  await page.goto('/en/search?q=' + encodeURIComponent(evil));
  assert.equal(await page.inputValue('#q'), evil);
  assert.ok((await page.locator('#results-heading').innerText()).includes(evil));
  assert.equal(await page.locator('img[src=x]').count(), 0);
  const bad = await page.goto('/en/search?province=' + encodeURIComponent('<b>XX</b>'));
  assert.equal(bad.status(), 400);
  assert.equal(await page.locator('b', { hasText: 'XX' }).count(), 0);
  assert.deepEqual(page.problems, []);
});

test('discovery: OpenSearch description and Atom feed, linked from the page', async () => {
  const page = await newPage(env);
  await page.goto('/fr/recherche?q=infirmi%C3%A8re');
  assert.equal(await page.getAttribute('link[rel=search]', 'href'), '/opensearch.xml?ui_lang=fr');
  const feedHref = await page.getAttribute('link[rel=alternate][type="application/atom+xml"]', 'href');
  assert.match(feedHref, /^\/fr\/fil\?q=/);
  const os = await (await fetch(env.daemon.base + '/opensearch.xml')).text();
  assert.match(os, /<OpenSearchDescription xmlns="http:\/\/a9.com\/-\/spec\/opensearch\/1.1\/">/);
  assert.match(os, /template="http:\/\/127\.0\.0\.1:\d+\/en\/search\?q=\{searchTerms\}/);
  const resp = await fetch(env.daemon.base + feedHref);
  assert.match(resp.headers.get('content-type'), /^application\/atom\+xml/);
  const xml = await resp.text();
  // parse it in the browser: a namespace-aware XML parser that reports any error
  const info = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'application/xml');
    const ns = 'http://www.w3.org/2005/Atom';
    if (doc.getElementsByTagName('parsererror').length) return { error: true };
    const entries = [...doc.getElementsByTagNameNS(ns, 'entry')];
    return {
      root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
      id: !!doc.querySelector('feed > id'), updated: !!doc.querySelector('feed > updated'),
      entries: entries.map((e) => ({
        id: e.getElementsByTagNameNS(ns, 'id')[0]?.textContent,
        title: e.getElementsByTagNameNS(ns, 'title')[0]?.textContent,
        updated: e.getElementsByTagNameNS(ns, 'updated')[0]?.textContent,
      })),
    };
  }, xml);
  assert.ok(!info.error, 'well-formed XML');
  assert.equal(info.root, 'http://www.w3.org/2005/Atom feed');
  assert.ok(info.id && info.updated);
  assert.ok(info.entries.length > 0 && info.entries.length <= 20);
  for (const e of info.entries) {
    assert.match(e.id, /^http:\/\/127\.0\.0\.1:\d+\/fr\/dossiers\//);
    assert.match(e.updated, /^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    assert.ok(e.title);
  }
  const times = info.entries.map((e) => e.updated);
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  const all = await (await fetch(env.daemon.base + '/en/feed')).text();
  assert.equal((all.match(/<entry[ >]/g) || []).length, 20);
  assert.deepEqual(page.problems, []);
});

test('the landing page offers both languages; /en and /fr lead to the search', async () => {
  const page = await newPage(env);
  await page.goto('/');
  await page.fill('#q-fr', 'mentorat');
  await page.press('#q-fr', 'Enter');
  await page.waitForURL(/\/fr\/recherche\?q=mentorat/);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.goto('/en');
  assert.match(page.url(), /\/en\/search$/);
  assert.deepEqual(page.problems, []);
});
