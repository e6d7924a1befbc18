// a11y.test.mjs - axe-core finds no WCAG 2.1 A/AA violation on the home, results, no-results,
// filtered and record pages, in English and French, at desktop and phone widths; pages have
// landmarks, one h1, a lang attribute, and no horizontal scrolling at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { setUp, newPage } from './harness.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const PAGES = [
  ['home', '/'],
  ['results-en', '/en/search?q=nurse'],
  ['results-fr', '/fr/recherche?q=infirmi%C3%A8re'],
  ['filtered-en', '/en/search?q=nurse&province=ON&type=report&from=2015&sort=-date'],
  ['filtered-fr', '/fr/recherche?province=QC&topic=licensure&page=2'],
  ['no-results-en', '/en/search?q=zzqqxxyy'],
  ['no-results-fr', '/fr/recherche?q=zzqqxxyy&province=NU'],
  ['record-en', '/en/records/central-on-ien-bridge-sudbury'],
  ['record-fr', '/fr/dossiers/central-on-passerelle-infirmieres-sudbury'],
  ['record-other-lang', '/en/records/central-on-passerelle-infirmieres-sudbury'],
  ['not-found-fr', '/fr/dossiers/no-such-record'],
];

let env;

before(async () => { env = await setUp(); });
after(async () => { if (env) await env.tearDown(); });

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')).join('\n');
}

for (const width of [1280, 320]) {
  for (const [name, url] of PAGES) {
    test(`axe: ${name} at ${width} px`, async () => {
      const page = await newPage(env, { viewport: { width, height: 800 } });
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
      assert.equal(result.violations.length, 0, describe(result.violations));
      assert.match(await page.getAttribute('html', 'lang'), /^(en|fr)$/);
      assert.equal(await page.locator('main').count(), 1);
      assert.equal(await page.locator('h1').count(), 1);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `horizontal scrolling of ${overflow} px`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
}

test('axe: results after in-place updates (filters selected, suggestions open)', async () => {
  const page = await newPage(env);
  await page.goto('/en/search?q=nurse');
  await page.check('#f-province-ON');
  await page.waitForURL(/province=ON/);
  await page.waitForFunction(() => !document.getElementById('search-region').hasAttribute('aria-busy'));
  await page.fill('#q', 'nur');
  await page.waitForTimeout(500);
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  assert.equal(result.violations.length, 0, describe(result.violations));
  await page.context().close();
});

test('200% zoom: a 640 px wide window shows the phone layout without horizontal scrolling', async () => {
  const page = await newPage(env, { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 });
  await page.setViewportSize({ width: 640, height: 400 });
  await page.goto('/fr/recherche?q=infirmi%C3%A8re&province=ON');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0);
  assert.ok(await page.isVisible('#filters-toggle'), 'filters fold away behind a button');
  assert.equal(await page.getAttribute('#filters-toggle', 'aria-expanded'), 'false');
  await page.click('#filters-toggle');
  assert.equal(await page.getAttribute('#filters-toggle', 'aria-expanded'), 'true');
  assert.ok(await page.isVisible('#f-province-ON'));
  await page.context().close();
});
