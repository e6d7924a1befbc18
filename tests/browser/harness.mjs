// harness.mjs - what the browser tests share: index corpus/records with the real iqn-index, start
// the real iqn-searchd on a free loopback port (like tests/integration/harness.py), stop it with
// SIGTERM and check it exited cleanly, and launch Debian's Chromium headless through playwright-core
// (never a downloaded browser).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const config = {
  source: process.env.IQN_SOURCE || path.resolve(here, '..', '..'),
  index: process.env.IQN_INDEX || '',
  searchd: process.env.IQN_SEARCHD || '',
  chromium: process.env.IQN_CHROMIUM || '/usr/bin/chromium',
};

const SANITIZER = /ERROR: AddressSanitizer|LeakSanitizer|runtime error:/;
const START_TIMEOUT_MS = 60000;

function childEnv() {
  return { ...process.env, ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1' };
}

function need(file, what) {
  if (!file || !existsSync(file)) {
    throw new Error(`${what} not found (${file || 'unset'}): set IQN_INDEX and IQN_SEARCHD, or run through ctest`);
  }
}

/* Index corpus/records into a new temporary directory; returns { dir, db }. */
export function buildIndex() {
  need(config.index, 'iqn-index');
  const dir = mkdtempSync(path.join(tmpdir(), 'iqn-browser-'));
  const db = path.join(dir, 'index');
  const vocab = path.join(config.source, 'corpus', 'vocab');
  const run = spawnSync(config.index, ['--db', db, '--vocab', vocab, path.join(config.source, 'corpus', 'records')],
    { encoding: 'utf8', env: childEnv(), timeout: 300000 });
  if (run.status !== 0 || SANITIZER.test(run.stderr || '')) {
    throw new Error(`iqn-index failed (${run.status}): ${run.stdout}\n${(run.stderr || '').slice(-4000)}`);
  }
  return { dir, db };
}

/* A running iqn-searchd over db, on 127.0.0.1 and a port the system picks. */
export class Searchd {
  constructor(db) {
    this.db = db;
    this.proc = null;
    this.port = 0;
    this.stderr = '';
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    need(config.searchd, 'iqn-searchd');
    const args = ['--db', this.db, '--listen', '127.0.0.1:0', '--web', path.join(config.source, 'web'),
      '--vocab', path.join(config.source, 'corpus', 'vocab'), '--quiet'];
    this.proc = spawn(config.searchd, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.proc.stdout.setEncoding('utf8');
    this.proc.on('exit', (code, signal) => {
      if (this.proc) {
        console.error(`iqn-searchd died (exit ${code}, signal ${signal}):\n${this.stderr.slice(-8000)}`);
      }
    });
    this.port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listening line in ${START_TIMEOUT_MS} ms: ${out} ${this.stderr}`)),
        START_TIMEOUT_MS);
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = /iqn-searchd: listening on http:\/\/[^\s/]+:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      this.proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`iqn-searchd exited (${code}) before listening: ${this.stderr}`));
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        const r = await fetch(`${this.base}/healthz`);
        if (r.status === 200) {
          break;
        }
      } catch (e) {
        /* not yet */
      }
      if (Date.now() > deadline) {
        throw new Error(`/healthz never answered 200: ${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return this;
  }

  /* SIGTERM; resolves to the exit code. Throws on a sanitizer report or a non-zero exit. */
  async stop() {
    if (!this.proc) {
      return 0;
    }
    const proc = this.proc;
    this.proc = null;
    const code = await new Promise((resolve) => {
      if (proc.exitCode !== null) {
        resolve(proc.exitCode);
        return;
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), START_TIMEOUT_MS);
      proc.on('exit', (c) => { clearTimeout(timer); resolve(c); });
      proc.kill('SIGTERM');
    });
    if (SANITIZER.test(this.stderr)) {
      throw new Error(`iqn-searchd sanitizer report:\n${this.stderr.slice(-6000)}`);
    }
    if (code !== 0) {
      throw new Error(`iqn-searchd exited ${code} after SIGTERM: ${this.stderr.slice(-4000)}`);
    }
    return code;
  }
}

/* Debian's Chromium, headless, with a fresh profile (playwright makes a new temporary one per
 * launch) and no background traffic to the outside. */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(config.chromium)) {
    throw new Error(`Chromium not found at ${config.chromium} (Debian package chromium)`);
  }
  return chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

/* Everything a test file needs: index, daemon, browser; and the matching teardown. */
export async function setUp() {
  const { dir, db } = buildIndex();
  const daemon = await new Searchd(db).start();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir, daemon, browser,
    async tearDown() {
      try {
        await browser.close();
      } finally {
        try {
          await daemon.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    },
  };
}

/* A page that fails the test on a console error or a CSP violation, with the base URL set. */
export async function newPage(env, options = {}) {
  const context = await env.browser.newContext({ baseURL: env.daemon.base, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[04]/.test(msg.text())) {
      page.problems.push(msg.text());
    }
  });
  page.on('pageerror', (err) => page.problems.push(String(err)));
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  return page;
}
