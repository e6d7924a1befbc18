// screenshots.mjs - take screenshots of the results and record pages, EN and FR, at 1280 and 320
// CSS pixels, in headless Chromium: node screenshots.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './harness.mjs';

const base = process.argv[2] || 'http://127.0.0.1:8080';
const out = process.argv[3] || 'screenshots';
const shots = [
  ['results-en', '/en/search?q=nurse&province=ON'],
  ['results-fr', '/fr/recherche?q=infirmi%C3%A8re&province=ON'],
  ['record-en', '/en/records/central-on-ien-bridge-sudbury'],
  ['record-fr', '/fr/dossiers/central-on-passerelle-infirmieres-sudbury'],
  ['none-en', '/en/search?q=zzzyqx'],
  ['home', '/'],
];

mkdirSync(out, { recursive: true });
const browser = await launchBrowser();
try {
  for (const width of [1280, 320]) {
    const context = await browser.newContext({ viewport: { width, height: width === 320 ? 640 : 900 } });
    const page = await context.newPage();
    for (const [name, url] of shots) {
      await page.goto(base + url);
      await page.waitForLoadState('networkidle');
      const file = path.join(out, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: process.argv[4] === 'full' });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
