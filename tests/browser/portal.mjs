#!/usr/bin/env node
// Browser test of the warrantyd web pages, in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser is ever downloaded). It goes through what people do, each as a
// named step with its own time budget and the assertions a person would notice:
//    1. the administrator signs in by a one-time link;
//    2. invites a dealer manager (Dana Counter), whose invitation email is then read from the outbox;
//    3. Dana signs in by the emailed link;
//    4. registers a unit at the counter with the keyboard and a barcode scanner (a scan ends with
//       Enter: it must move to the next empty required field, never submit a half-filled form);
//    5. double-clicks "Register" on a second unit: exactly one registration;
//    6. opens the customer's receipt from the success notice;
//    7. finds the registration in the list and on its page (reminders, consent, held incentive);
//    8. finance: a clerk adds an adjustment, then closes the previous month only after ticking the
//       confirmation;
//    9. four eyes: the clerk cannot approve, an approver approves but cannot pay, a third person
//       marks the statement paid; the history names the people;
//   10. an owner self-registers through the dealer's QR code on a 390 px phone and confirms;
//   11. she transfers the unit from her page; the new owner accepts on her own phone, in French;
//   12. every page (dealer, finance, admin, public, customer, error pages) is checked at 390 px and
//       1280 px by check-pages.mjs: status, no horizontal overflow, no console error, no serious or
//       critical axe-core violation.
// Prints "portal browser test: ok" when every step passed.
//
// Environment (tests/api/browser.rs sets it):
//   BASE_URL        server root, e.g. http://127.0.0.1:43125
//   OUTBOX          directory of the .eml files the server writes
//   LINKS           JSON {"admin", "clerk", "approver", "payer"}: one-time sign-in links
//   DEALER_CODE     the dealer Dana is invited to (GM)
//   CUSTOMER_EMAIL  the customer whose confirmation email is in the outbox (its /v/ and /u/ pages)
//   SCREENSHOT_DIR  optional; a PNG per step (step-NN-*.png) and per checked page
//   REPORT          optional; the JSON report (steps, keystrokes, every page check, axe counts)
//   CHROMIUM        optional; browser executable (default /usr/bin/chromium)
//
// Exit code 0 when every step passes; 1 on the first failed step (its name, the page URL and an
// excerpt of the page's text are printed) or when any page check fails (every failure is listed).

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { checkPages } from './check-pages.mjs';

// ---- environment ----

const need = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`portal browser test: environment variable ${name} is required`);
    process.exit(1);
  }
  return v;
};
const BASE_URL = need('BASE_URL').replace(/\/+$/, '');
const OUTBOX = need('OUTBOX');
const LINKS = (() => {
  try {
    const links = JSON.parse(need('LINKS'));
    for (const who of ['admin', 'clerk', 'approver', 'payer']) {
      if (typeof links[who] !== 'string' || !links[who].startsWith('http')) throw new Error(`LINKS.${who} is not a link`);
    }
    return links;
  } catch (err) {
    console.error(`portal browser test: LINKS: ${err.message}`);
    process.exit(1);
  }
})();
const DEALER_CODE = need('DEALER_CODE');
const CUSTOMER_EMAIL = need('CUSTOMER_EMAIL').toLowerCase();
const SHOTS = process.env.SCREENSHOT_DIR || '';
const REPORT = process.env.REPORT || '';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const DEALER_NAME = 'Garage Martin & Fils';
const DANA = { name: 'Dana Counter', email: 'dana@garage-martin.example' };
const ACTION_TIMEOUT = 15_000; // one click, one navigation, one selector

// ---- report and failure output ----

const report = {
  ok: false,
  baseUrl: BASE_URL,
  startedAt: new Date().toISOString(),
  durationMs: 0,
  steps: [],
  keystrokes: [],
  doubleClick: null,
  failure: null,
  pageChecks: null,
  axeCounts: {},
};
const started = Date.now();

function writeReport() {
  if (!REPORT) return;
  report.durationMs = Date.now() - started;
  mkdirSync(path.dirname(path.resolve(REPORT)), { recursive: true });
  writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
}

const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const slugify = (s) => norm(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

class StepFailure extends Error {}
function expect(ok, message) {
  if (!ok) throw new StepFailure(message);
}

// The page the running step works on, for the failure output and the step's screenshot.
let activePage = null;
const use = (page) => {
  activePage = page;
  return page;
};

async function shot(page, name) {
  if (!SHOTS || !page || page.isClosed()) return null;
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
  return file;
}

async function pageExcerpt(page) {
  if (!page || page.isClosed()) return { url: '(no page)', text: '' };
  const text = await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '');
  return { url: page.url(), text: norm(text).slice(0, 1_200) };
}

let stepNumber = 0;
// Runs one named step within its time budget; on failure prints what and where, and exits 1.
async function step(name, budgetMs, fn) {
  stepNumber += 1;
  const label = `${stepNumber}. ${name}`;
  const t0 = Date.now();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new StepFailure(`the step took longer than its time budget of ${budgetMs / 1000} s`)), budgetMs);
  });
  const work = fn();
  work.catch(() => {}); // if the deadline wins, the abandoned work must not raise an unhandled rejection
  try {
    await Promise.race([work, deadline]);
  } catch (err) {
    clearTimeout(timer);
    const { url, text } = await pageExcerpt(activePage);
    const message = err instanceof StepFailure ? err.message : String(err?.stack || err).split('\n').slice(0, 6).join('\n');
    const screenshot = await shot(activePage, `step-${String(stepNumber).padStart(2, '0')}-failed`).catch(() => null);
    report.steps.push({ step: label, ok: false, durationMs: Date.now() - t0, url, error: message, screenshot });
    report.failure = { step: label, url, message, pageText: text };
    console.error(`FAILED step ${label}: ${message}`);
    console.error(`  page: ${url}`);
    console.error(`  page text: ${text || '(empty)'}`);
    writeReport();
    await browser.close().catch(() => {});
    process.exit(1);
  }
  clearTimeout(timer);
  const screenshot = await shot(activePage, `step-${String(stepNumber).padStart(2, '0')}-${slugify(name).slice(0, 60)}`).catch(() => null);
  report.steps.push({ step: label, ok: true, durationMs: Date.now() - t0, url: activePage?.url() ?? null, screenshot });
  console.log(`ok ${label} (${Date.now() - t0} ms)`);
}

// ---- helpers ----

const pathOf = (page) => new URL(page.url()).pathname;
const idOf = async (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || '');
const count = async (page, selector) => page.locator(selector).count();
// The text of `selector`, waited for (it may come with the next page); fails the step when it never shows.
async function textOf(page, selector) {
  try {
    return norm(await page.locator(selector).first().innerText());
  } catch (err) {
    if (/Timeout/.test(String(err?.message))) throw new StepFailure(`${selector} did not appear on the page within ${ACTION_TIMEOUT / 1000} s`);
    throw err;
  }
}
// The text of `selector` as it is now, for failure messages (no waiting).
const textNow = async (page, selector) => ((await count(page, selector)) ? norm(await page.locator(selector).first().innerText()) : `(no ${selector})`);
// The error summary's text, or '' when the page shows none.
const errorsOn = async (page) => ((await count(page, '#error-summary')) ? `; the page says: ${norm(await page.locator('#error-summary').innerText())}` : '');

// Does `action` and waits for the navigation it starts (a form post and its redirect) to load.
async function navigateBy(page, action) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: ACTION_TIMEOUT });
  await action();
  await navigated;
  await page.waitForLoadState('load');
}

async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: BASE_URL });
  context.setDefaultTimeout(ACTION_TIMEOUT);
  return context;
}

// Opens a one-time sign-in link, presses the continue button, and lands on `home`.
async function signIn(context, link, { home, name }) {
  const page = use(await context.newPage());
  const response = await page.goto(link);
  expect(response && response.status() === 200, `the sign-in link answered ${response?.status()}, expected 200`);
  const heading = await textOf(page, 'h1');
  expect(heading.includes(name), `the sign-in page says "${heading}", expected it to name ${name}`);
  await page.locator('#use-link').waitFor();
  const linkPath = new URL(link).pathname;
  const [post] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === linkPath),
    navigateBy(page, () => page.click('#use-link')),
  ]);
  if (pathOf(page) !== home) {
    const sent = await post.allHeaders();
    const answer = await post.response();
    throw new StepFailure(`after pressing #use-link the browser is on ${pathOf(page)}, expected ${home}; the sign-in post ` +
      `answered ${answer?.status() ?? 'nothing'} (the browser sent Origin: ${sent.origin ?? '(none)'}, Referer: ${sent.referer ?? '(none)'})`);
  }
  const cookie = (await context.cookies(BASE_URL)).find((c) => c.name === 'wd_session');
  expect(cookie, 'no wd_session cookie after signing in');
  expect(cookie.httpOnly, 'the wd_session cookie is not HttpOnly');
  expect(cookie.path === '/', `the wd_session cookie has Path=${cookie.path}, expected /`);
  const account = await textOf(page, '.account-name');
  expect(account === name, `the header names "${account}" as the person signed in, expected ${name}`);
  return page;
}

const sessionCookie = async (context) => {
  const c = (await context.cookies(BASE_URL)).find((x) => x.name === 'wd_session');
  expect(c, 'a signed-in context lost its wd_session cookie');
  return [{ name: c.name, value: c.value, path: c.path || '/' }];
};

// ---- the outbox ----

function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

// Headers (unfolded, names lower-cased) and body of a message or a MIME part.
function splitMessage(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([^:\s]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1].toLowerCase()] = m[2];
  }
  return { headers, body };
}

function decodeBody({ headers, body }) {
  const cte = (headers['content-transfer-encoding'] || '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

// The text/plain part of a message (its whole body when it is not multipart), decoded.
function plainText(raw) {
  const message = splitMessage(raw);
  const type = message.headers['content-type'] || 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return decodeBody(message);
  const parts = message.body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
  for (const part of parts) {
    const p = splitMessage(part.replace(/^\r?\n/, ''));
    const t = p.headers['content-type'] || 'text/plain';
    if (/^multipart\//i.test(t)) {
      const nested = plainText(part.replace(/^\r?\n/, ''));
      if (nested) return nested;
    } else if (/^text\/plain/i.test(t)) {
      return decodeBody(p);
    }
  }
  return '';
}

// The newest message (file time, then name) addressed to `address`, waited for up to `timeoutMs`.
async function newestMailTo(address, timeoutMs, matches = () => true) {
  const until = Date.now() + timeoutMs;
  const wanted = address.toLowerCase();
  for (;;) {
    let files = [];
    try {
      files = readdirSync(OUTBOX).filter((f) => f.endsWith('.eml'));
    } catch {
      // the outbox directory appears with the first message
    }
    const found = files
      .map((f) => {
        const file = path.join(OUTBOX, f);
        return { file, name: f, mtime: statSync(file).mtimeMs };
      })
      .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
      .map((m) => ({ ...m, raw: readFileSync(m.file, 'utf8') }))
      .filter((m) => {
        const to = (splitMessage(m.raw).headers.to || '').toLowerCase();
        return to.includes(`<${wanted}>`) || to.split(/[\s,]+/).includes(wanted);
      })
      .map((m) => ({ ...m, text: plainText(m.raw), headers: splitMessage(m.raw).headers }))
      .find(matches);
    if (found) return found;
    if (Date.now() > until) throw new StepFailure(`no email to ${address} in ${OUTBOX} after ${timeoutMs / 1000} s (${files.length} .eml file(s) there)`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // poll the directory for the message
  }
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const linkIn = (text, prefix) => new RegExp(`${escapeRe(BASE_URL)}${prefix}[A-Za-z0-9_-]+`).exec(text)?.[0];

// ---- dates ----

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const now = new Date();
const previousMonth = (() => {
  const y = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const m = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth(); // getUTCMonth is 0-based: this is last month
  return { key: `${y}-${String(m).padStart(2, '0')}`, name: `${MONTHS[m - 1]} ${y}` };
})();

// ---- the test ----

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  timeout: 30_000,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
}).catch((err) => {
  console.error(`portal browser test: FAILED to launch Chromium at ${CHROMIUM} (run scripts/browser-setup, or set CHROMIUM): ${err.message}`);
  process.exit(1);
});
console.log(`portal browser test on ${BASE_URL} (${browser.version()}); previous month ${previousMonth.key}`);

const adminContext = await newContext();
const dealerContext = await newContext();
const clerkContext = await newContext();
const approverContext = await newContext();
const payerContext = await newContext();
let admin;
let dana;
let danaLink;
let firstId; // the registration of SCAN-0001
let secondId; // the registration of SCAN-0002
let statementId;

await step('admin signs in by the one-time link', 30_000, async () => {
  admin = await signIn(adminContext, LINKS.admin, { home: '/admin', name: 'Ada Admin' });
  const heading = await textOf(admin, 'h1');
  expect(heading === 'Administration', `the admin home's heading reads "${heading}", expected "Administration"`);
  const dealers = await textOf(admin, '#dealers');
  expect(dealers === '1', `the admin home counts ${dealers} dealer(s), expected 1 (${DEALER_NAME})`);
});

await step('admin invites the dealer manager; the invitation email carries a sign-in link', 30_000, async () => {
  use(admin);
  await admin.goto('/admin/people');
  await admin.fill('#name', DANA.name);
  await admin.fill('#email', DANA.email);
  await admin.selectOption('#role', 'dealer_manager');
  await admin.selectOption('#dealer', DEALER_CODE);
  await admin.selectOption('#language', 'en');
  await navigateBy(admin, () => admin.click('#invite'));
  expect((await count(admin, '#error-summary')) === 0, `the invitation was refused${await errorsOn(admin)}`);
  const notice = await textOf(admin, '#notice');
  expect(/invitation sent/i.test(notice), `the notice says "${notice}", expected "Invitation sent."`);
  const row = admin.locator('#people tbody tr', { hasText: DANA.email });
  expect((await row.count()) === 1, `the people list shows ${await row.count()} row(s) for ${DANA.email}, expected 1`);
  const rowText = norm(await row.innerText());
  expect(rowText.includes(DANA.name) && rowText.includes(DEALER_NAME), `Dana's row reads "${rowText}"`);

  const mail = await newestMailTo(DANA.email, 15_000);
  danaLink = linkIn(mail.text, '/sign-in/');
  expect(danaLink, `the invitation email ${mail.name} has no ${BASE_URL}/sign-in/<token> link in its text part`);
  report.invitationEmail = { file: mail.name, subject: mail.headers.subject, link: danaLink.replace(/[^/]{12}$/, '…') };
  console.log(`  invitation email ${mail.name}: "${mail.headers.subject}"`);
});

await step('Dana signs in by the emailed link and lands on the dealer home', 30_000, async () => {
  dana = await signIn(dealerContext, danaLink, { home: '/dealer', name: DANA.name });
  const body = norm(await dana.locator('body').innerText());
  expect(body.includes(DEALER_NAME), `the dealer home does not name ${DEALER_NAME}`);
});

// Keystrokes as sent, recorded for the report.
const keys = report.keystrokes;
async function typeKeys(page, text) {
  await page.keyboard.type(text);
  keys.push(`type ${text}`);
}
async function press(page, key) {
  await page.keyboard.press(key);
  keys.push(key === ' ' ? 'Space' : key);
}
// Counts the counter form's posts, to tell that Enter did not submit.
let counterPosts = 0;
dealerContext.on('request', (req) => {
  if (req.method() === 'POST' && new URL(req.url()).pathname === '/dealer/register') counterPosts += 1;
});
// True when the page is still the document marked by `mark` (no navigation happened in between).
async function sameDocument(page, mark) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
  return page.evaluate((m) => window.__portalTestMark === m, mark).catch(() => false);
}

await step('counter registration by keyboard and barcode scanner', 45_000, async () => {
  use(dana);
  await dana.goto('/dealer/register');
  expect(pathOf(dana) === '/dealer/register', `the counter form is at ${pathOf(dana)}`);
  expect((await idOf(dana)) === 'serial_number', `on load the focus is on "${await idOf(dana)}", expected #serial_number`);
  const purchaseDate = await dana.inputValue('#purchase_date');
  expect(/^\d{4}-\d{2}-\d{2}$/.test(purchaseDate), `the purchase date is not prefilled (value "${purchaseDate}")`);
  const urlBefore = dana.url();
  await dana.evaluate(() => { window.__portalTestMark = 'counter'; });
  const postsBefore = counterPosts;

  // The scanner types the serial and ends with Enter.
  await typeKeys(dana, 'SCAN-0001');
  await press(dana, 'Enter');
  expect(await sameDocument(dana, 'counter'), 'Enter after the scanned serial reloaded the page (the form was submitted)');
  expect(counterPosts === postsBefore, 'Enter after the scanned serial posted the form');
  expect(dana.url() === urlBefore, `Enter after the scanned serial changed the URL to ${dana.url()}`);
  expect((await count(dana, '#error-summary')) === 0, 'an error summary appeared after the scanned serial');
  expect((await dana.inputValue('#serial_number')) === 'SCAN-0001', `the serial field holds "${await dana.inputValue('#serial_number')}"`);
  expect((await idOf(dana)) === 'sku', `after the scan's Enter the focus is on "${await idOf(dana)}", expected #sku (the next empty required field)`);

  // The product: the list suggests by name; the clerk types the SKU.
  await typeKeys(dana, 'Robotic');
  const suggestion = await dana.evaluate(() => {
    const input = document.getElementById('sku');
    const list = input && input.list;
    const typed = input.value.toLowerCase();
    const hit = list && Array.from(list.options).find((o) => (o.label || o.textContent).toLowerCase().includes(typed));
    return hit ? { value: hit.value, label: norm(hit.label || hit.textContent) } : null;
    function norm(s) { return String(s).replace(/\s+/g, ' ').trim(); }
  });
  expect(suggestion && suggestion.value === 'P1', `the product list suggests ${JSON.stringify(suggestion)} for "Robotic", expected P1 (Robotic mower 500)`);
  await press(dana, 'Control+A');
  await typeKeys(dana, 'P1');
  expect((await dana.inputValue('#sku')) === 'P1', `the product field holds "${await dana.inputValue('#sku')}"`);
  await press(dana, 'Enter');
  expect(await sameDocument(dana, 'counter'), 'Enter in the product field submitted the form');
  expect(counterPosts === postsBefore, 'Enter in the product field posted the form');
  expect((await idOf(dana)) === 'customer_name', `after Enter in the product field the focus is on "${await idOf(dana)}", expected #customer_name`);

  await typeKeys(dana, 'Eve Example');
  await press(dana, 'Tab');
  expect((await idOf(dana)) === 'customer_email', `Tab from the name went to "${await idOf(dana)}", expected #customer_email`);
  await typeKeys(dana, 'eve@client.test');
  await press(dana, 'Tab');
  expect((await idOf(dana)) === 'customer_phone', `Tab from the email went to "${await idOf(dana)}", expected #customer_phone`);
  await typeKeys(dana, '07700 900123');

  // Consent: both unticked until the customer agrees; ticked with the keyboard.
  expect(!(await dana.isChecked('#consent_service_reminders')), 'the service-reminders consent box was ticked before anyone ticked it');
  expect(!(await dana.isChecked('#consent_marketing')), 'the marketing consent box was ticked before anyone ticked it');
  for (let i = 0; i < 4; i++) await press(dana, 'Tab'); // postal code, country, language, consent
  expect((await idOf(dana)) === 'consent_service_reminders', `four Tabs from the phone reached "${await idOf(dana)}", expected #consent_service_reminders`);
  await press(dana, ' ');
  expect(await dana.isChecked('#consent_service_reminders'), 'Space did not tick the service-reminders consent box');
  expect(!(await dana.isChecked('#consent_marketing')), 'the marketing consent box got ticked');
  for (let i = 0; i < 4; i++) await press(dana, 'Shift+Tab'); // back to the phone field
  expect((await idOf(dana)) === 'customer_phone', `four Shift+Tabs went back to "${await idOf(dana)}", expected #customer_phone`);
  expect(await sameDocument(dana, 'counter'), 'the form was submitted before it was complete');
  expect(counterPosts === postsBefore, 'the form was posted before it was complete');

  // Everything required is filled: Enter submits.
  await navigateBy(dana, () => press(dana, 'Enter'));
  expect(counterPosts === postsBefore + 1, `Enter posted the form ${counterPosts - postsBefore} time(s), expected once`);
  const done = new URL(dana.url());
  expect(done.pathname === '/dealer/register' && done.searchParams.get('done'),
    `after submitting, the browser is on ${dana.url()}${await errorsOn(dana)}`);
  firstId = done.searchParams.get('done');
  const notice = await textOf(dana, '#registered');
  expect(/SCAN-?0001/.test(notice), `the success notice does not name SCAN-0001: "${notice}"`);
  expect(/held until the customer confirms/i.test(notice), `the success notice does not say the incentive is held until the customer confirms: "${notice}"`);
  expect((await dana.inputValue('#serial_number')) === '', 'the serial field is not empty after the registration');
  expect((await dana.inputValue('#sku')) === '', 'the product field is not empty after the registration');
  expect((await dana.inputValue('#customer_name')) === '', 'the customer name is not empty after the registration');
  expect(!(await dana.isChecked('#consent_service_reminders')), 'the consent box is still ticked after the registration');
  expect((await idOf(dana)) === 'serial_number', `after the registration the focus is on "${await idOf(dana)}", expected #serial_number`);
  report.registeredNotice = notice;
  console.log(`  keystrokes: ${JSON.stringify(keys)}`);
  console.log(`  notice: ${notice}`);
});

await step('a double click on Register registers once', 45_000, async () => {
  use(dana);
  expect(pathOf(dana) === '/dealer/register', `the counter form is not open (${dana.url()})`);
  await dana.fill('#serial_number', 'SCAN-0002');
  await dana.fill('#sku', 'P1');
  await dana.fill('#customer_name', 'Finn Example');
  await dana.fill('#customer_email', 'finn@client.test');
  await dana.check('#consent_service_reminders');
  const postsBefore = counterPosts;
  await navigateBy(dana, () => dana.dblclick('#register'));
  await dana.waitForURL((u) => u.pathname === '/dealer/register' && u.searchParams.has('done'));
  const notice = await textOf(dana, '#registered');
  expect(/SCAN-?0002/.test(notice), `the success notice does not name SCAN-0002: "${notice}"`);
  secondId = new URL(dana.url()).searchParams.get('done');
  report.doubleClick = { posts: counterPosts - postsBefore, registrationId: secondId };

  const list = use(await dealerContext.newPage());
  await list.goto('/dealer/registrations?q=SCAN-0002');
  const rows = await count(list, '#registrations-list tbody tr');
  expect(rows === 1, `the registrations list shows ${rows} row(s) for SCAN-0002 after a double click, expected exactly 1`);
  const href = await list.locator('#registrations-list tbody tr a').first().getAttribute('href');
  expect(href === `/dealer/registrations/${secondId}`, `the listed SCAN-0002 links to ${href}, expected /dealer/registrations/${secondId}`);
  await list.close();
  use(dana);
  console.log(`  the double click sent ${counterPosts - postsBefore} post(s); one registration`);
});

await step('the receipt from the success notice', 30_000, async () => {
  use(dana);
  const notice = await textOf(dana, '#registered');
  const warrantyEnd = /runs until (.+?)\./.exec(notice)?.[1];
  expect(warrantyEnd, `the success notice gives no warranty end date: "${notice}"`);
  await navigateBy(dana, () => dana.click('#registered #print-receipt'));
  expect(pathOf(dana) === `/dealer/registrations/${secondId}/receipt`, `the receipt link went to ${dana.url()}`);
  const receipt = await textOf(dana, '#receipt');
  expect(/SCAN-?0002/.test(receipt), `the receipt does not show SCAN-0002: "${receipt.slice(0, 300)}"`);
  const ends = await textOf(dana, '#receipt dt:has-text("Warranty ends") + dd');
  expect(ends === warrantyEnd, `the receipt's warranty end reads "${ends}", expected "${warrantyEnd}"`);
  expect(receipt.includes(DEALER_NAME), `the receipt does not name the dealer ${DEALER_NAME}`);
  expect((await count(dana, 'button#print[data-print]')) === 1, 'the receipt has no print button');
  expect(await dana.locator('#print').isVisible(), 'the print button is not visible');
});

await step('the registration in the list and on its page', 30_000, async () => {
  use(dana);
  await dana.goto('/dealer/registrations?q=SCAN-0001');
  const rows = dana.locator('#registrations-list tbody tr');
  expect((await rows.count()) === 1, `searching SCAN-0001 lists ${await rows.count()} row(s), expected 1`);
  const row = norm(await rows.first().innerText());
  expect(/SCAN-?0001/.test(row) && row.includes('Robotic mower 500') && row.includes('Eve Example'), `the SCAN-0001 row reads "${row}"`);
  await navigateBy(dana, () => rows.first().locator('a').first().click());
  expect(pathOf(dana) === `/dealer/registrations/${firstId}`, `the row links to ${dana.url()}, expected /dealer/registrations/${firstId}`);
  const reminders = await count(dana, '#reminders tbody tr');
  expect(reminders >= 1, 'the registration page lists no reminders');
  const dd = async (label) => textOf(dana, `dl.summary dt:text-is("${label}") + dd`);
  const service = await dd('Service and warranty reminders');
  expect(service === 'Agreed', `service-reminders consent reads "${service}", expected "Agreed"`);
  const marketing = await dd('Offers and news');
  expect(marketing === 'Not agreed', `marketing consent reads "${marketing}", expected "Not agreed"`);
  const incentive = await textOf(dana, '#incentive');
  expect(/held until the customer confirms/i.test(incentive), `the incentive is not shown as held: "${incentive}"`);
  expect(incentive.includes('£12.50'), `the incentive does not show £12.50: "${incentive}"`);
  const registered = await dd('Registered');
  expect(registered.includes(DANA.name), `"Registered" reads "${registered}", expected it to name ${DANA.name}`);
  const phone = await dd('Phone');
  expect(phone === '+447700900123', `the phone reads "${phone}", expected +447700900123 (07700 900123 in the UK)`);
});

let clerk;
await step(`finance: an adjustment, then ${previousMonth.key} is closed only after its confirmation`, 60_000, async () => {
  clerk = await signIn(clerkContext, LINKS.clerk, { home: '/finance/statements', name: 'Chris Clerk' });
  // The month must still be open for this step to mean anything (the server closes ended months by
  // itself unless WARRANTYD_AUTO_CLOSE_PERIODS=false).
  await clerk.goto(`/finance/periods/close?period=${previousMonth.key}`);
  expect((await count(clerk, '#already-closed')) === 0,
    `${previousMonth.key} was closed before this test closed it ("${await textNow(clerk, '#already-closed')}"); ` +
    'the server under test must run with WARRANTYD_AUTO_CLOSE_PERIODS=false');
  await clerk.goto('/finance/adjustments/new');
  await clerk.selectOption('#dealer', DEALER_CODE);
  await clerk.fill('#currency', 'GBP');
  await clerk.fill('#amount', '-2.50');
  await clerk.selectOption('#period', previousMonth.key);
  await clerk.fill('#reason', 'Late paperwork');
  await navigateBy(clerk, () => clerk.click('#add-adjustment'));
  expect(pathOf(clerk) === '/finance/statements',
    `the adjustment was not saved (the browser is on ${clerk.url()})${await errorsOn(clerk)}`);
  const added = await textOf(clerk, '#adjustment-added');
  expect(/adjustment is saved/i.test(added), `the success notice reads "${added}"`);

  await clerk.goto(`/finance/periods/close?period=${previousMonth.key}`);
  expect((await count(clerk, '#already-closed')) === 0, `${previousMonth.name} is already closed before anyone closed it: "${await textNow(clerk, '#already-closed')}"`);
  const heading = await textOf(clerk, '#close-heading');
  expect(heading.includes(previousMonth.name), `the confirmation heading reads "${heading}", expected it to name ${previousMonth.name}`);
  const totals = await textOf(clerk, '#open-totals');
  expect(totals.includes('Garage Martin'), `the list of what the close puts on statements does not name Garage Martin: "${totals}"`);
  expect(!(await clerk.isChecked('#confirm')), 'the confirmation box is ticked before anyone ticked it');

  // Without the tick: refused, and the month stays open.
  await navigateBy(clerk, () => clerk.click('#close-period'));
  const error = await textOf(clerk, '#error-summary');
  expect(/tick the box/i.test(error), `closing without the tick shows "${error}"`);
  expect((await clerk.getAttribute('#confirm', 'aria-invalid')) === 'true', 'the confirmation box is not marked invalid');
  expect((await count(clerk, '#close-confirm')) === 1 && (await count(clerk, '#already-closed')) === 0, 'after the refused close the page no longer offers the close');
  const list = use(await clerkContext.newPage());
  await list.goto(`/finance/statements?period=${previousMonth.key}`);
  expect((await count(list, '#statements')) === 0, `statements exist for ${previousMonth.key} after a refused close`);
  const empty = await textOf(list, '#list-summary');
  expect(/no statements/i.test(empty), `the statements list for ${previousMonth.key} reads "${empty}"`);
  await list.close();
  use(clerk);

  // With the tick: closed, one statement for the dealer.
  await clerk.check('#confirm');
  await navigateBy(clerk, () => clerk.click('#close-period'));
  const at = new URL(clerk.url());
  expect(at.pathname === '/finance/statements' && at.searchParams.get('period') === previousMonth.key,
    `after the close the browser is on ${clerk.url()}${await errorsOn(clerk)}`);
  const rows = clerk.locator('#statements tbody tr');
  expect((await rows.count()) === 1, `the statements of ${previousMonth.key} list ${await rows.count()} row(s), expected 1`);
  const row = norm(await rows.first().innerText());
  expect(row.includes(DEALER_NAME), `the statement row reads "${row}", expected ${DEALER_NAME}`);
  const total = norm(await rows.first().locator('td.num').innerText());
  expect(/^[-\u2212]£2\.50$/.test(total), `the statement total reads "${total}", expected -£2.50`);
  const href = await rows.first().locator('a.statement').getAttribute('href');
  statementId = /^\/finance\/statements\/([0-9a-f-]{36})$/.exec(href || '')?.[1];
  expect(statementId, `the statement link is "${href}"`);
});

await step('four eyes: the clerk cannot approve, the approver approves, a third person pays', 60_000, async () => {
  use(clerk);
  await clerk.goto(`/finance/statements/${statementId}`);
  const pending = await textOf(clerk, '#status');
  expect(pending === 'Pending review', `the new statement's status reads "${pending}", expected "Pending review"`);
  expect((await count(clerk, '#approve')) === 0, 'a finance clerk is offered the Approve button');
  const clerkPage = norm(await clerk.locator('main').innerText());
  expect(/approver must approve/i.test(clerkPage), 'the clerk is not told that an approver must approve the statement');
  expect((await count(clerk, '#paid')) === 0, 'a pending statement offers Mark paid');

  const approver = await signIn(approverContext, LINKS.approver, { home: '/finance/statements', name: 'Alex Approver' });
  await approver.goto(`/finance/statements/${statementId}`);
  await approver.locator('#approve').waitFor();
  await navigateBy(approver, () => approver.click('#approve'));
  expect(pathOf(approver) === `/finance/statements/${statementId}`, `after approving the browser is on ${approver.url()}`);
  expect((await count(approver, '#error-summary')) === 0, `approving failed${await errorsOn(approver)}`);
  const approved = await textOf(approver, '#status');
  expect(approved === 'Approved', `after approving the status reads "${approved}", expected "Approved"`);
  expect((await count(approver, '#paid')) === 0 && (await count(approver, '#reference')) === 0, 'the approver is offered Mark paid on the statement they approved');
  const approverPage = norm(await approver.locator('main').innerText());
  expect(/another person must mark it paid/i.test(approverPage), 'the approver is not told that another person must mark the statement paid');

  const payer = await signIn(payerContext, LINKS.payer, { home: '/finance/statements', name: 'Pat Payer' });
  await payer.goto(`/finance/statements/${statementId}`);
  await payer.fill('#reference', 'PAY-2026-001');
  await navigateBy(payer, () => payer.click('#paid'));
  expect((await count(payer, '#error-summary')) === 0, `marking paid failed${await errorsOn(payer)}`);
  const paid = await textOf(payer, '#status');
  expect(paid === 'Paid', `after marking paid the status reads "${paid}", expected "Paid"`);
  const reference = await textOf(payer, '#payment_reference');
  expect(reference === 'PAY-2026-001', `the payment reference reads "${reference}", expected PAY-2026-001`);
  const history = await textOf(payer, '#history');
  report.statementHistory = history;
  expect(history.includes('Alex Approver'), `the history does not name Alex Approver: "${history}"`);
  expect(history.includes('Pat Payer'), `the history does not name Pat Payer: "${history}"`);
  const raw = /\b[a-z]+_[a-z_]+\b|\bstatement\.[a-z]+\b/.exec(history);
  expect(!raw, `the history shows a raw value "${raw?.[0]}": "${history}"`);
  const minor = /(^|[^\d.,£€$])-?250(?![\d.,])/.exec(history);
  expect(!minor, `the history shows an amount in minor units ("${minor?.[0]}"): "${history}"`);
  const main = norm(await payer.locator('main').innerText());
  const rawMain = /\b(pending_review|on_hold)\b/.exec(main);
  expect(!rawMain, `the statement page shows the raw status "${rawMain?.[0]}"`);
  use(payer);
});

let selfRegistrationPath = '';
let ownerPath = '';
let transferPath = ''; // accepted: its done page, and the used link
let openTransferPath = ''; // still waiting for its new owner
let newOwnerPath = '';
await step('an owner scans the dealer\'s QR code, registers on a 390 px phone and confirms by the emailed link', 60_000, async () => {
  const dana = await dealerContext.newPage();
  use(dana);
  await dana.goto('/dealer/qr?sku=P1&serial=OWNER-0001');
  expect((await count(dana, '#dealer-qr svg.qr')) === 1, 'the dealer QR page shows no QR code');
  const url = await dana.locator('#qr-url').getAttribute('href');
  expect(url && url.startsWith(`${BASE_URL}/s/`), `the QR code's address is ${url}`);
  selfRegistrationPath = new URL(url).pathname;
  await dana.close();
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: BASE_URL, locale: 'en-GB' });
  phoneContext.setDefaultTimeout(ACTION_TIMEOUT);
  const phone = await phoneContext.newPage();
  use(phone);
  await phone.goto(url);
  const serial = await phone.inputValue('#serial_number');
  expect(serial === 'OWNER-0001', `the serial is not prefilled: "${serial}"`);
  const product = await phone.inputValue('#sku');
  expect(product === 'P1', `the product is not preselected: "${product}"`);
  const ticked = await phone.locator('input[type=checkbox]:checked').count();
  expect(ticked === 0, `${ticked} consent box(es) start ticked`);
  await phone.fill('#customer_name', 'Olive Owner');
  await phone.fill('#customer_email', 'olive@client.test');
  await phone.check('#consent_service_reminders');
  await navigateBy(phone, () => phone.click('#self-register'));
  expect((await count(phone, '#error-summary')) === 0, `the self-registration was refused${await errorsOn(phone)}`);
  const done = await textOf(phone, '#self-registered');
  expect(done.includes('OWNER-0001') && done.includes(DEALER_NAME), `the confirmation page says "${done}"`);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  expect(width <= 390, `the page is ${width} px wide on a 390 px phone`);
  const mail = await newestMailTo('olive@client.test', 30_000, (m) => linkIn(m.text, '/v/'));
  await phone.goto(linkIn(mail.text, '/v/'));
  await navigateBy(phone, () => phone.locator('main form button[type=submit]').first().click());
  const confirmed = norm(await phone.locator('main').innerText());
  expect(/confirmed|thank/i.test(confirmed), `after confirming, the page says "${confirmed}"`);
  // The owner's page, from the same email: their unit, and their choices.
  ownerPath = new URL(linkIn(mail.text, '/o/')).pathname;
  await phone.goto(ownerPath);
  const units = norm(await phone.locator('main').innerText());
  expect(units.includes('OWNER-0001') && units.includes(DEALER_NAME), `the owner page does not show the unit: "${units}"`);
  const ownerWidth = await phone.evaluate(() => document.documentElement.scrollWidth);
  expect(ownerWidth <= 390, `the owner page is ${ownerWidth} px wide on a 390 px phone`);
  await phone.uncheck('#consent_service_reminders');
  await navigateBy(phone, () => phone.click('#save-choices'));
  expect((await count(phone, '#choices-saved')) === 1, 'saving the owner\'s choices shows no confirmation');
  expect(!(await phone.isChecked('#consent_service_reminders')), 'the withdrawn reminders are still ticked');
  await phoneContext.close();
});

await step('the owner transfers the unit from her page; the new owner accepts on her own phone', 60_000, async () => {
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: BASE_URL, locale: 'en-GB' });
  phoneContext.setDefaultTimeout(ACTION_TIMEOUT);
  const olive = await phoneContext.newPage();
  use(olive);
  await olive.goto(ownerPath);
  await olive.locator('details:has(#transfer-email-1) > summary').click();
  await olive.fill('#transfer-email-1', 'nora@client.test');
  await navigateBy(olive, () => olive.click('#transfer-1'));
  expect((await count(olive, '#transfer-sent')) === 1, `offering the unit shows no confirmation${await errorsOn(olive)}`);
  expect((await count(olive, '#transfer-pending-1')) === 1, 'the owner page does not say a transfer is waiting');
  const offer = await newestMailTo('nora@client.test', 30_000, (m) => linkIn(m.text, '/t/'));
  transferPath = new URL(linkIn(offer.text, '/t/')).pathname;
  // The new owner, on her own phone, in French.
  const noraContext = await browser.newContext({ viewport: { width: 390, height: 844 }, baseURL: BASE_URL, locale: 'fr-FR' });
  noraContext.setDefaultTimeout(ACTION_TIMEOUT);
  const nora = await noraContext.newPage();
  use(nora);
  await nora.goto(transferPath);
  const offered = norm(await nora.locator('main').innerText());
  expect(offered.includes('OWNER-0001') && !offered.includes('Olive'), `the acceptance page says "${offered}"`);
  expect((await nora.inputValue('#customer_email')) === 'nora@client.test', 'the invited address is not prefilled');
  expect((await nora.locator('input[type=checkbox]:checked').count()) === 0, 'a consent box starts ticked');
  await nora.fill('#customer_name', 'Nora Nouvelle');
  await nora.check('#consent_service_reminders');
  await navigateBy(nora, () => nora.click('#accept-transfer'));
  expect((await count(nora, '#error-summary')) === 0, `the acceptance was refused${await errorsOn(nora)}`);
  const done = await textOf(nora, '#transfer-done');
  expect(done.includes('OWNER-0001') && done.includes(DEALER_NAME), `after accepting, the page says "${done}"`);
  const width = await nora.evaluate(() => document.documentElement.scrollWidth);
  expect(width <= 390, `the page is ${width} px wide on a 390 px phone`);
  await navigateBy(nora, () => nora.click('#my-units'));
  newOwnerPath = new URL(nora.url()).pathname;
  const mine = norm(await nora.locator('main').innerText());
  expect(mine.includes('OWNER-0001') && !mine.includes('Olive'), `the new owner's page says "${mine}"`);
  // The link worked once.
  await nora.goto(transferPath);
  expect((await count(nora, '#transfer-ended')) === 1, 'a used transfer link still offers the unit');
  // The previous owner's page: handed on, nothing about the new owner.
  await olive.goto(ownerPath);
  const handedOn = norm(await olive.locator('main').innerText());
  expect(handedOn.includes('OWNER-0001') && !handedOn.includes('Nora'), `the previous owner's page says "${handedOn}"`);
  expect((await count(olive, '#handed-on-heading')) === 1, 'the previous owner\'s page does not show the unit handed on');
  // Nora offers it on in turn (a link left waiting, for the page checks).
  await nora.goto(newOwnerPath);
  await nora.locator('details:has(#transfer-email-1) > summary').click();
  await nora.fill('#transfer-email-1', 'oscar@client.test');
  await navigateBy(nora, () => nora.click('#transfer-1'));
  const next = await newestMailTo('oscar@client.test', 30_000, (m) => linkIn(m.text, '/t/'));
  openTransferPath = new URL(linkIn(next.text, '/t/')).pathname;
  await noraContext.close();
  await phoneContext.close();
});

await step('every page at 390 px and 1280 px: status, overflow, console errors, axe', 20 * 60_000, async () => {
  use(null);
  const dealer = await sessionCookie(dealerContext);
  const finance = await sessionCookie(clerkContext);
  const adminCookie = await sessionCookie(adminContext);
  const customerMail = await newestMailTo(CUSTOMER_EMAIL, 30_000, (m) => linkIn(m.text, '/v/') && linkIn(m.text, '/u/'));
  const confirmPath = new URL(linkIn(customerMail.text, '/v/')).pathname;
  const unsubscribePath = new URL(linkIn(customerMail.text, '/u/')).pathname;
  const usedLink = new URL(LINKS.admin);
  const pages = [
    ...[
      ['dealer home', '/dealer'],
      ['dealer counter', '/dealer/register'],
      ['dealer counter registered', `/dealer/register?done=${firstId}`],
      ['dealer registrations', '/dealer/registrations'],
      ['dealer registrations search', '/dealer/registrations?q=SCAN'],
      ['dealer registration', `/dealer/registrations/${firstId}`],
      ['dealer receipt', `/dealer/registrations/${firstId}/receipt`],
      ['dealer statements', '/dealer/statements'],
      ['dealer scorecard', '/dealer/scorecard'],
      ['dealer team', '/dealer/team'],
      ['dealer qr code', '/dealer/qr?sku=P1&serial=OWNER-0002'],
      ['dealer claims', '/dealer/claims'],
      ['dealer account', '/account'],
    ].map(([name, p]) => ({ name, path: p, cookies: dealer })),
    ...[
      ['finance statements', '/finance/statements'],
      ['finance statement', `/finance/statements/${statementId}`],
      ['finance adjustment', '/finance/adjustments/new'],
      ['finance close period', '/finance/periods/close'],
    ].map(([name, p]) => ({ name, path: p, cookies: finance })),
    ...[
      ['admin home', '/admin'],
      ['admin people', '/admin/people'],
      ['admin dealers', '/admin/dealers'],
      ['admin dealer', `/admin/dealers/${DEALER_CODE}`],
      ['admin products', '/admin/products'],
      ['admin product', '/admin/products/BOILER-24'],
      ['admin programs', '/admin/programs'],
      ['admin program', '/admin/programs/REG'],
      ['admin signals', '/admin/signals'],
      ['admin unit qr codes', '/admin/units'],
    ].map(([name, p]) => ({ name, path: p, cookies: adminCookie })),
    { name: 'landing', path: '/' },
    { name: 'sign-in', path: '/sign-in' },
    { name: 'owner self-registration', path: `${selfRegistrationPath}?sku=P1&serial=OWNER-0003` },
    { name: 'unit address', path: '/unit/P1/API-0001' },
    { name: 'unregistered unit address', path: '/unit/P1/NEW-0001' },
    { name: 'owner registers alone', path: '/unit/P1/NEW-0001/register' },
    { name: 'owner page', path: ownerPath },
    { name: 'owner data export', path: `${ownerPath}/my-data` },
    { name: 'new owner page', path: newOwnerPath },
    { name: 'transfer acceptance', path: openTransferPath },
    { name: 'transfer accepted', path: `${transferPath}/done` },
    { name: 'used transfer link', path: transferPath, expectStatus: 410 },
    { name: 'not found', path: '/no-such-page', expectStatus: 404 },
    { name: 'used sign-in link', path: usedLink.pathname + usedLink.search, expectStatus: 410 },
    { name: 'customer confirm', path: confirmPath },
    { name: 'customer unsubscribe', path: unsubscribePath },
    { name: 'wrong role', path: '/finance/statements', cookies: dealer, expectStatus: 403 },
  ];
  console.log(`  checking ${pages.length} pages x 2 widths`);
  const result = await checkPages(browser, pages, { baseUrl: BASE_URL, screenshotDir: SHOTS });
  report.pageChecks = result;
  for (const r of result.results) report.axeCounts[`${r.name} @${r.width} (${r.path.replace(/\/(sign-in|v|u|o|t|s)\/[^/?]+/, '/$1/…')})`] = r.axe?.counts ?? null;
  if (result.warnings.length) {
    console.log('  warnings (minor/moderate axe violations, not failing):');
    for (const w of result.warnings) console.log(`    ${w}`);
  }
  expect(result.ok, `${result.summary.failed} of ${result.summary.checked} page checks failed:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`);
});

await step('in French: Dana chooses French, and her pages pass the same checks', 10 * 60_000, async () => {
  const page = await dealerContext.newPage();
  use(page);
  await page.goto(`${BASE_URL}/account`);
  await page.selectOption('#language', 'fr');
  await navigateBy(page, () => page.locator('form[action="/account"] button[type=submit]').first().click());
  await page.goto(`${BASE_URL}/dealer`);
  const lang = await page.evaluate(() => document.documentElement.lang);
  expect(lang === 'fr', `the page language is ${lang}, not fr`);
  const nav = await textOf(page, 'nav.site-nav');
  expect(nav.includes('Enregistrer un produit'), `the navigation is not in French: ${nav}`);
  const dealer = await sessionCookie(dealerContext);
  const pages = [
    ['fr dealer home', '/dealer'],
    ['fr dealer counter', '/dealer/register'],
    ['fr dealer registrations', '/dealer/registrations'],
    ['fr dealer registration', `/dealer/registrations/${firstId}`],
    ['fr dealer statements', '/dealer/statements'],
    ['fr dealer scorecard', '/dealer/scorecard'],
  ].map(([name, p]) => ({ name, path: p, cookies: dealer }));
  const result = await checkPages(browser, pages, { baseUrl: BASE_URL, screenshotDir: SHOTS });
  for (const r of result.results) report.axeCounts[`${r.name} @${r.width} (${r.path})`] = r.axe?.counts ?? null;
  expect(result.ok, `${result.summary.failed} of ${result.summary.checked} French page checks failed:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`);
  await page.close();
});

await browser.close();
report.ok = true;
writeReport();
console.log(`keystrokes: ${JSON.stringify(report.keystrokes)}`);
console.log('portal browser test: ok');
process.exit(0);
