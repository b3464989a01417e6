#!/usr/bin/env node
// Browser test of the dealer pages in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core): sign in, register a unit through the counter form, see a field error for a bad
// email, fix it, then see the registration counted on the scorecard.
//
// Environment: BASE_URL, DEALER_KEY, SERIAL (required); SCREENSHOT_DIR, CHROMIUM (optional).
// Exit code 0 when every step passes, 1 on the first failure (with the page URL and text printed).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const TIMEOUT = 15_000;
const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`dealer browser test: environment variable ${name} is required`);
    process.exit(1);
  }
  return v;
};
const BASE_URL = need('BASE_URL').replace(/\/+$/, '');
const DEALER_KEY = need('DEALER_KEY');
const SERIAL = need('SERIAL');
const SHOTS = process.env.SCREENSHOT_DIR || '';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
page.setDefaultTimeout(TIMEOUT);
let step = '';
const shot = async (name) => {
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  }
};
const expect = (ok, message) => {
  if (!ok) throw new Error(message);
};

try {
  step = '1. sign in';
  await page.goto(`${BASE_URL}/dealer/counter`);
  await page.waitForURL((u) => u.pathname === '/dealer/login');
  await page.fill('input[name="key"]', DEALER_KEY);
  await Promise.all([page.waitForURL((u) => u.pathname === '/dealer/counter'), page.click('button[type="submit"]')]);
  console.log(`ok ${step}`);

  step = '2. a bad email is refused next to its field';
  await page.fill('input[name="serial_number"]', SERIAL);
  await page.fill('input[name="customer_name"]', 'Ann Example');
  await page.fill('input[name="customer_email"]', 'ann@');
  await Promise.all([page.waitForLoadState('load'), page.click('button#register')]);
  const emailError = page.locator('#error-customer_email');
  await emailError.waitFor({ state: 'visible' });
  expect((await emailError.textContent()).includes('email'), `unexpected field error: ${await emailError.textContent()}`);
  expect((await page.inputValue('input[name="serial_number"]')) === SERIAL, 'the typed serial was lost');
  await shot('counter-error.png');
  console.log(`ok ${step}`);

  step = '3. the corrected form registers the unit';
  await page.fill('input[name="customer_email"]', 'ann@example.com');
  await Promise.all([page.waitForLoadState('load'), page.click('button#register')]);
  const registered = page.locator('#registered');
  await registered.waitFor({ state: 'visible' });
  const normalized = SERIAL.replace(/[\s\-./]/g, '').toUpperCase();
  expect((await registered.textContent()).includes(normalized), `the confirmation does not name ${normalized}`);
  await shot('counter-registered.png');
  console.log(`ok ${step}`);

  step = '4. the scorecard counts it';
  await page.goto(`${BASE_URL}/dealer/scorecard`);
  const count = page.locator('#registrations');
  await count.waitFor({ state: 'visible' });
  expect((await count.textContent()).trim() === '1', `registrations reads ${await count.textContent()}`);
  expect((await page.locator('.charts svg').count()) === 4, 'expected four trend charts');
  await shot('scorecard.png');
  console.log(`ok ${step}`);
  console.log('dealer browser test: ok');
  await browser.close();
  process.exit(0);
} catch (e) {
  console.error(`FAILED ${step}: ${e.message}`);
  console.error(`page: ${page.url()}`);
  console.error((await page.locator('body').innerText().catch(() => '')).slice(0, 2000));
  await shot('failure.png').catch(() => {});
  await browser.close();
  process.exit(1);
}
