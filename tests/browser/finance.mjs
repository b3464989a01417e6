#!/usr/bin/env node
// Browser test of the warrantyd finance pages, in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is ever downloaded).
//
// Environment:
//   BASE_URL        server root, e.g. http://127.0.0.1:43125 (required)
//   FINANCE_KEY     a valid finance bearer key (required)
//   PERIOD          statement period, YYYY-MM (required); its first statement must be pending_review
//   SCREENSHOT_DIR  optional; PNG screenshots are written there
//   CHROMIUM        optional; browser executable (default /usr/bin/chromium)
//
// Exit code 0 when every step passes, 1 on the first failure (with the page URL and text printed).
//
// Run: (cd tests/browser && npm ci) then
//   BASE_URL=... FINANCE_KEY=... PERIOD=2026-01 node tests/browser/finance.mjs

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;
const WRONG_KEY = 'wrong-key-for-browser-test';
const PAYMENT_REFERENCE = 'PAY-2026-001';

class StepFailure extends Error {}

// Each step has STEP_TIMEOUT_MS in all; every wait inside it gets what is left of that budget, so
// the specific failure message fires before the step's own safety-net timer.
let stepDeadline = Date.now() + STEP_TIMEOUT_MS;
const remaining = () => Math.max(250, stepDeadline - Date.now());

function fail(message) {
  throw new StepFailure(message);
}

function env(name, { required = true } = {}) {
  const value = process.env[name];
  if (required && (value === undefined || value === '')) {
    console.error(`finance browser test: environment variable ${name} is required`);
    process.exit(1);
  }
  return value;
}

const BASE_URL = env('BASE_URL').replace(/\/+$/, '');
const FINANCE_KEY = env('FINANCE_KEY');
const PERIOD = env('PERIOD');
const SCREENSHOT_DIR = env('SCREENSHOT_DIR', { required: false }) || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(PERIOD)) {
  console.error(`finance browser test: PERIOD must be YYYY-MM, got ${JSON.stringify(PERIOD)}`);
  process.exit(1);
}
try {
  new URL(BASE_URL);
} catch {
  console.error(`finance browser test: BASE_URL is not a URL: ${JSON.stringify(BASE_URL)}`);
  process.exit(1);
}

const listUrl = `${BASE_URL}/finance/statements?period=${encodeURIComponent(PERIOD)}`;

const pathOf = (url) => new URL(url).pathname;
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactText = (s) => new RegExp(`^\\s*${escapeRegExp(s)}\\s*$`);
const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

// Waits until the page URL has exactly this path (query and fragment ignored).
async function expectPath(page, expected, what) {
  try {
    await page.waitForURL((url) => url.pathname === expected, { timeout: remaining() });
  } catch {
    let detail = '';
    const error = page.locator('.error').first();
    if (await error.isVisible().catch(() => false)) {
      detail = ` (the page shows .error ${JSON.stringify(norm(await error.textContent().catch(() => '')))})`;
    }
    fail(`${what}: expected URL path ${expected}, got ${pathOf(page.url())}${detail}`);
  }
}

// Waits for the first element matching selector to be visible.
async function expectVisible(page, selector, what) {
  const locator = page.locator(selector).first();
  try {
    await locator.waitFor({ state: 'visible', timeout: remaining() });
  } catch {
    fail(`${what}: no visible element ${selector} on ${pathOf(page.url())}`);
  }
  return locator;
}

// Waits for the first element matching selector to have exactly this text (whitespace trimmed).
async function expectText(page, selector, expected, what) {
  try {
    await page
      .locator(selector, { hasText: exactText(expected) })
      .first()
      .waitFor({ state: 'visible', timeout: remaining() });
  } catch {
    const count = await page.locator(selector).count().catch(() => 0);
    const actual = count ? norm(await page.locator(selector).first().textContent({ timeout: 1000 }).catch(() => null)) : null;
    fail(
      `${what}: expected ${selector} to read ${JSON.stringify(expected)}, ` +
        (count ? `it reads ${JSON.stringify(actual)}` : `there is no ${selector} on ${pathOf(page.url())}`),
    );
  }
}

// Waits for at least one row in `${tableSelector} tbody tr` and returns the rows locator.
async function expectRows(page, tableSelector, what) {
  await expectVisible(page, tableSelector, what);
  const rows = page.locator(`${tableSelector} tbody tr`);
  try {
    await rows.first().waitFor({ state: 'attached', timeout: remaining() });
  } catch {
    fail(`${what}: ${tableSelector} has no tbody tr rows`);
  }
  return rows;
}

async function screenshot(page, name, timeout = remaining()) {
  if (!SCREENSHOT_DIR) return;
  const file = path.join(SCREENSHOT_DIR, name);
  await page.screenshot({ path: file, fullPage: true, timeout });
  console.log(`  screenshot: ${file}`);
}

// Runs one step with an overall deadline of STEP_TIMEOUT_MS (plus a short grace period for the
// waits inside it to report their own, more specific, failure first).
async function step(number, title, fn) {
  const started = Date.now();
  stepDeadline = started + STEP_TIMEOUT_MS;
  let timer;
  const work = fn();
  work.catch(() => {}); // if the deadline wins, the abandoned step must not raise an unhandled rejection
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new StepFailure(`step timed out after ${STEP_TIMEOUT_MS / 1000} s`)),
      STEP_TIMEOUT_MS + 2_000,
    );
  });
  try {
    await Promise.race([work, deadline]);
  } catch (err) {
    err.step = `${number}. ${title}`;
    throw err;
  } finally {
    clearTimeout(timer);
  }
  console.log(`ok ${number}. ${title} (${Date.now() - started} ms)`);
}

async function main() {
  if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });

  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    console.error(`finance browser test: FAILED to launch Chromium at ${CHROMIUM} ` +
      `(run scripts/browser-setup, or set CHROMIUM): ${err.message}`);
    return 1;
  }

  let page;
  const pageErrors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`console error: ${msg.text()}`); });

    let statementId;
    let statementPath;

    await step(1, 'statements without a session redirect to the login page', async () => {
      await page.goto(`${BASE_URL}/finance/statements`);
      await expectPath(page, '/finance/login', 'unauthenticated GET /finance/statements');
      await expectVisible(page, 'input[name="key"]', 'login page');
    });

    await step(2, 'a wrong key shows the login page again with an error', async () => {
      await page.locator('input[name="key"]').fill(WRONG_KEY);
      await page.locator('button[type="submit"]').first().click();
      await expectVisible(page, '.error', 'login with a wrong key');
      await expectPath(page, '/finance/login', 'login with a wrong key');
      await expectVisible(page, 'input[name="key"]', 'login page after a wrong key');
    });

    await step(3, 'the finance key logs in and lands on the statements page', async () => {
      await page.locator('input[name="key"]').fill(FINANCE_KEY);
      await page.locator('button[type="submit"]').first().click();
      await expectPath(page, '/finance/statements', 'login with FINANCE_KEY');
    });

    await step(4, `the statements list for ${PERIOD} has a pending_review statement first`, async () => {
      await page.goto(listUrl);
      await expectPath(page, '/finance/statements', `GET ${listUrl}`);
      const rows = await expectRows(page, 'table#statements', 'statements list');
      const count = await rows.count();
      for (let i = 0; i < count; i++) {
        const row = rows.nth(i);
        if ((await row.locator('a.statement').count()) === 0) fail(`statements list: row ${i + 1} has no a.statement link`);
        const href = await row.locator('a.statement').first().getAttribute('href');
        const linkPath = href ? pathOf(new URL(href, page.url()).href) : '';
        const match = /^\/finance\/statements\/([^/]+)$/.exec(linkPath);
        if (!match) fail(`statements list: row ${i + 1} a.statement links to ${JSON.stringify(href)}, not /finance/statements/{id}`);
        if ((await row.locator('td.status').count()) === 0) fail(`statements list: row ${i + 1} has no td.status cell`);
        if (i === 0) {
          statementId = decodeURIComponent(match[1]);
          statementPath = linkPath;
        }
      }
      const firstStatus = norm(await rows.first().locator('td.status').first().textContent());
      if (firstStatus !== 'pending_review') {
        fail(`statements list: first row td.status reads ${JSON.stringify(firstStatus)}, expected "pending_review"`);
      }
      console.log(`  ${count} statement(s); first is ${statementId}`);
    });

    await step(5, 'the first statement opens with status pending_review, lines and a total', async () => {
      await page.locator('table#statements tbody tr').first().locator('a.statement').first().click();
      await expectPath(page, statementPath, 'opening the first statement');
      await expectText(page, '#status', 'pending_review', 'statement page');
      await expectRows(page, 'table#lines', 'statement page');
      await expectVisible(page, '#total', 'statement page');
    });

    await step(6, 'screenshot before approval', async () => {
      await screenshot(page, 'statement-before.png');
    });

    await step(7, 'approve moves the statement to approved', async () => {
      await expectVisible(page, 'button#approve', 'statement page');
      await page.locator('button#approve').click();
      await expectText(page, '#status', 'approved', 'after approve');
      await expectPath(page, statementPath, 'after approve');
    });

    await step(8, `marking it paid with reference ${PAYMENT_REFERENCE} moves it to paid`, async () => {
      await expectVisible(page, 'button#paid', 'approved statement page');
      const form = page.locator('form', { has: page.locator('button#paid') }).first();
      const reference = form.locator('input[name="reference"]');
      if ((await reference.count()) === 0) fail('approved statement page: the form of button#paid has no input[name="reference"]');
      await reference.first().fill(PAYMENT_REFERENCE);
      await page.locator('button#paid').click();
      await expectText(page, '#status', 'paid', 'after marking paid');
      await expectPath(page, statementPath, 'after marking paid');
      const shown = norm(await (await expectVisible(page, '#payment_reference', 'after marking paid')).textContent());
      if (!shown.includes(PAYMENT_REFERENCE)) {
        fail(`after marking paid: #payment_reference reads ${JSON.stringify(shown)}, expected it to contain ${PAYMENT_REFERENCE}`);
      }
    });

    await step(9, 'the statements list shows the statement as paid', async () => {
      await screenshot(page, 'statement-after.png');
      await page.goto(listUrl);
      const rows = await expectRows(page, 'table#statements', 'statements list after payment');
      // The statement's own row (the first row when the list order is stable).
      const count = await rows.count();
      let row = null;
      for (let i = 0; i < count && !row; i++) {
        const href = await rows.nth(i).locator('a.statement').first().getAttribute('href').catch(() => null);
        if (href && pathOf(new URL(href, page.url()).href) === statementPath) row = rows.nth(i);
      }
      if (!row) fail(`statements list after payment: no row links to ${statementPath}`);
      const status = norm(await row.locator('td.status').first().textContent());
      if (status !== 'paid') fail(`statements list after payment: ${statementId} td.status reads ${JSON.stringify(status)}, expected "paid"`);
    });

    console.log('finance browser test: ok');
    return 0;
  } catch (err) {
    console.error(`\nfinance browser test: FAILED at step ${err.step ?? '(setup)'}`);
    console.error(`  ${err instanceof StepFailure ? err.message : err.stack || err}`);
    if (page) {
      console.error(`  page URL: ${page.url()}`);
      const text = await page
        .evaluate(() => (document.body ? document.body.innerText : document.documentElement.outerHTML))
        .catch((e) => `(page text unavailable: ${e.message})`);
      console.error('  page text (first 2000 chars):');
      console.error(String(text).slice(0, 2000).replace(/^/gm, '    '));
      for (const line of pageErrors.slice(0, 20)) console.error(`  ${line}`);
      if (SCREENSHOT_DIR) await screenshot(page, 'failure.png', 5_000).catch(() => {});
    }
    return 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

process.exit(await main());
