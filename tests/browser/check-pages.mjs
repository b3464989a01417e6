#!/usr/bin/env node
// Page checker for the warrantyd web pages, in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is ever downloaded). For every page, at a phone width
// (390x844) and a desktop width (1280x900), each in a fresh browser context, it checks:
//   a. the HTTP status (expectStatus, or any status < 400), and that the page was not redirected
//      to another path (a stale session cookie would otherwise quietly check the login page);
//   b. no horizontal overflow: document.documentElement.scrollWidth <= window.innerWidth (on
//      failure, the 5 widest elements whose right edge passes the viewport are named);
//   c. no console errors, no uncaught page errors, no failed same-origin subresources (request
//      failures, or a status >= 400 for a stylesheet, script, image or font);
//   d. axe-core (WCAG 2.x A/AA and best practices, its default rule set): any serious or critical
//      violation fails the page; minor and moderate ones are reported as warnings.
// axe-core runs through page.evaluate (DevTools), which the pages' Content-Security-Policy does not
// block, so the pages are checked under their real CSP (no bypassCSP, no injected <script>).
//
// As a module:  import { checkPages } from './check-pages.mjs';
//               const report = await checkPages(browser, pages, { baseUrl, screenshotDir });
//               report.ok, report.failures (strings), report.results (one per page x width).
// As a program, environment:
//   BASE_URL        server root, e.g. http://127.0.0.1:43125 (required)
//   PAGES           JSON array (required), each entry:
//                     { "name": "dealer counter", "path": "/dealer/counter",
//                       "cookies": [{ "name": "wd_dealer", "value": "..." }],   (optional)
//                       "expectStatus": 200,                                    (optional)
//                       "allowRedirect": false }                                (optional)
//                   cookies are set for BASE_URL's host, path "/" unless the cookie gives "path".
//   REPORT          optional; the JSON report is written to this file
//   SCREENSHOT_DIR  optional; full-page PNGs <slug-of-name>-<width>.png are written there
//   CHROMIUM        optional; browser executable (default /usr/bin/chromium)
//   PAGE_TIMEOUT_MS optional; time budget of one page at one width (default 30000)
//
// Exit code 0 when every page passes at every width, 1 otherwise (every failure is listed).
//
// Run: bash scripts/browser-setup, then
//   BASE_URL=http://127.0.0.1:43125 PAGES='[{"name":"home","path":"/"}]' node tests/browser/check-pages.mjs

import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const DEFAULT_VIEWPORTS = Object.freeze([
  Object.freeze({ width: 390, height: 844 }),
  Object.freeze({ width: 1280, height: 900 }),
]);
export const DEFAULT_PAGE_TIMEOUT_MS = 30_000;
const IMPACTS = ['minor', 'moderate', 'serious', 'critical'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
// Responses of these resource types with a status >= 400 count as errors (same origin only).
const CHECKED_RESOURCE_TYPES = new Set(['stylesheet', 'script', 'image', 'font']);
const MAX_OFFENDERS = 5;
const MAX_TARGETS = 3;

let axeCache;
function axeCore() {
  if (!axeCache) {
    const file = require.resolve('axe-core/axe.min.js');
    const { version } = JSON.parse(readFileSync(path.join(path.dirname(file), 'package.json'), 'utf8'));
    axeCache = { source: readFileSync(file, 'utf8'), version };
  }
  return axeCache;
}

class CheckFailure extends Error {}

const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const slugify = (s) => norm(s).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'page';

// Validates the page list; throws a TypeError naming the first bad entry.
export function validatePages(pages) {
  if (!Array.isArray(pages) || pages.length === 0) throw new TypeError('pages must be a non-empty array');
  const names = new Set();
  pages.forEach((p, i) => {
    const where = `pages[${i}]${p && typeof p.name === 'string' ? ` (${JSON.stringify(p.name)})` : ''}`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new TypeError(`${where} must be an object`);
    if (typeof p.name !== 'string' || !p.name.trim()) throw new TypeError(`${where}: "name" must be a non-empty string`);
    if (names.has(p.name)) throw new TypeError(`${where}: "name" is used twice`);
    names.add(p.name);
    if (typeof p.path !== 'string' || !p.path.startsWith('/')) throw new TypeError(`${where}: "path" must be a string starting with "/"`);
    if (p.expectStatus !== undefined && !(Number.isInteger(p.expectStatus) && p.expectStatus >= 100 && p.expectStatus <= 599)) {
      throw new TypeError(`${where}: "expectStatus" must be an HTTP status code (an integer), got ${JSON.stringify(p.expectStatus)}`);
    }
    if (p.allowRedirect !== undefined && typeof p.allowRedirect !== 'boolean') throw new TypeError(`${where}: "allowRedirect" must be true or false`);
    if (p.cookies !== undefined) {
      if (!Array.isArray(p.cookies)) throw new TypeError(`${where}: "cookies" must be an array of {"name", "value"}`);
      p.cookies.forEach((c, j) => {
        if (!c || typeof c.name !== 'string' || !c.name || typeof c.value !== 'string') {
          throw new TypeError(`${where}: cookies[${j}] must be {"name": string, "value": string}`);
        }
        if (c.path !== undefined && (typeof c.path !== 'string' || !c.path.startsWith('/'))) {
          throw new TypeError(`${where}: cookies[${j}].path must start with "/"`);
        }
      });
    }
  });
}

// Runs in the page: the overflow numbers and the widest elements past the right edge of the viewport
// (skipping those clipped by a scrolling or overflow-hidden ancestor that itself fits and contains them).
function measureOverflow({ maxOffenders }) {
  const innerWidth = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const offenders = [];
  if (scrollWidth > innerWidth) {
    // An ancestor clips an element only if it is in the element's containing-block chain: an
    // absolutely positioned element (a visually-hidden label, say) escapes a scrolling ancestor
    // that is not positioned, and then widens the page however well that ancestor fits.
    const containsAbsolute = (cs) => cs.position !== 'static' || cs.transform !== 'none' || cs.filter !== 'none' ||
      cs.perspective !== 'none' || /paint|layout|strict|content/.test(cs.contain || '');
    const clippedBy = (el) => {
      let position = getComputedStyle(el).position;
      for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
        if (position === 'fixed') return false;
        const cs = getComputedStyle(a);
        if (position === 'absolute' && !containsAbsolute(cs)) continue; // not its containing block
        if (cs.overflowX !== 'visible' && a.getBoundingClientRect().right + window.scrollX <= innerWidth) return true;
        position = cs.position;
      }
      return false;
    };
    for (const el of document.body ? document.body.querySelectorAll('*') : []) {
      const rect = el.getBoundingClientRect();
      const right = rect.right + window.scrollX;
      if (right <= innerWidth || rect.width === 0 || getComputedStyle(el).position === 'fixed' || clippedBy(el)) continue;
      offenders.push({
        tag: el.tagName.toLowerCase(),
        id: el.id || '',
        class: typeof el.className === 'string' ? el.className : (el.getAttribute('class') || ''),
        text: (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60),
        right: Math.round(right),
        width: Math.round(rect.width),
      });
    }
    offenders.sort((a, b) => b.right - a.right || b.width - a.width);
  }
  return { scrollWidth, innerWidth, offenders: offenders.slice(0, maxOffenders) };
}

// Runs in the page once axe-core is loaded there.
async function runAxe({ maxTargets }) {
  /* global axe */
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact || 'minor',
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, maxTargets).map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' | '),
      summary: (n.failureSummary || '').replace(/\s*\n\s*/g, '; ').trim(),
    })),
  }));
}

// A same-origin subresource answered with an error status shows up three times (the response, then
// Chromium's console line "Failed to load resource: ... status of 404", then a requestfailed
// net::ERR_ABORTED): keep only the response entry.
function dedupeLoadErrors(errors) {
  const badResponses = new Set(errors.filter((e) => e.kind === 'response').map((e) => e.url));
  const kept = errors.filter((e) =>
    !(e.kind === 'console.error' && /^Failed to load resource: the server responded/.test(e.text) && badResponses.has(e.sourceUrl)) &&
    !(e.kind === 'requestfailed' && /ERR_ABORTED/.test(e.text) && badResponses.has(e.url)));
  errors.splice(0, errors.length, ...kept);
}

// The first line of a Playwright error, without its call log or terminal colours.
const firstLine = (err) => norm(String(err?.message ?? err).split('\n')[0].replace(/\u001b\[[0-9;]*m/g, ''));

function describeOffender(o) {
  const id = o.id ? `#${o.id}` : '';
  const cls = o.class ? `.${norm(o.class).split(' ').join('.')}` : '';
  return `<${o.tag}${id}${cls}> right edge ${o.right}px (width ${o.width}px)${o.text ? ` "${o.text}"` : ''}`;
}

// Checks one page at one viewport; returns its result (never throws for a page problem).
async function checkOne(browser, page, viewport, ctx) {
  const { baseUrl, timeoutMs, screenshotDir, slug, axe } = ctx;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const remaining = () => Math.max(250, deadline - Date.now());
  const base = new URL(baseUrl);
  const url = new URL(page.path, base).href;
  const result = {
    name: page.name,
    path: page.path,
    url,
    width: viewport.width,
    height: viewport.height,
    ok: false,
    failures: [],
    status: null,
    expectStatus: page.expectStatus ?? null,
    finalUrl: null,
    overflow: null,
    consoleErrors: [],
    ignoredConsole: [],
    axe: null,
    screenshot: null,
    durationMs: 0,
  };
  const failures = result.failures;
  let context;
  let recording = true;
  const faviconUrl = new URL('/favicon.ico', base).href;
  const ignore = (text, location) => {
    if (recording) result.ignoredConsole.push({ text: String(text), location });
  };
  // extra: location (file:line of a console message), url / sourceUrl (what the dedupe matches on).
  const record = (kind, text, extra = {}) => {
    if (recording) result.consoleErrors.push({ kind, text: String(text), ...extra });
  };

  const work = (async () => {
    context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      deviceScaleFactor: 1,
      isMobile: false,
      hasTouch: false,
    });
    if (page.cookies?.length) {
      await context.addCookies(
        page.cookies.map((c) => ({
          name: c.name,
          value: c.value,
          domain: base.hostname,
          path: c.path || '/',
          secure: base.protocol === 'https:',
        })),
      );
    }
    const tab = await context.newPage();
    tab.setDefaultTimeout(timeoutMs);
    let mainResponseUrl = url;
    tab.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const loc = msg.location()?.url || '';
      // Chromium logs the main document's own error status ("Failed to load resource: the server
      // responded with a status of 404") to the console; for a page expected to answer that status
      // (a 404 page) that is the status check's business, not an error on the page.
      const failedLoad = /^Failed to load resource: /.test(msg.text());
      if (page.expectStatus >= 400 && loc === mainResponseUrl && failedLoad) return ignore(msg.text(), loc);
      // Chromium asks for /favicon.ico by itself (once per browser) when a page names no icon; a
      // 404 for that request is the browser's doing, not the page's.
      if (failedLoad && loc === faviconUrl) return ignore(msg.text(), loc);
      const where = msg.location();
      record('console.error', msg.text(), where?.url ? { location: `${where.url}:${(where.lineNumber ?? 0) + 1}`, sourceUrl: where.url } : {});
    });
    tab.on('pageerror', (err) => record('pageerror', err?.message ?? err));
    tab.on('requestfailed', (req) => {
      if (new URL(req.url()).origin !== base.origin) return;
      if (req.isNavigationRequest() && req.frame() === tab.mainFrame()) return; // goto reports it
      record('requestfailed', `${req.method()} ${req.url()} (${req.resourceType()}): ${req.failure()?.errorText ?? 'failed'}`, { url: req.url() });
    });
    tab.on('response', (res) => {
      const req = res.request();
      if (req.isNavigationRequest() && req.frame() === tab.mainFrame()) mainResponseUrl = res.url();
      if (res.status() < 400 || !CHECKED_RESOURCE_TYPES.has(req.resourceType())) return;
      if (new URL(res.url()).origin !== base.origin) return;
      record('response', `${req.method()} ${res.url()} (${req.resourceType()}): status ${res.status()}`, { url: res.url() });
    });

    // a. status (and no redirect to another path)
    let response;
    try {
      response = await tab.goto(url, { waitUntil: 'load', timeout: remaining() });
    } catch (err) {
      throw new CheckFailure(`navigation to ${url} failed: ${clip(firstLine(err), 300)}` +
        (/Timeout/.test(err.message) ? ` (page time budget ${timeoutMs} ms)` : ''));
    }
    if (!response) throw new CheckFailure(`navigation to ${url} gave no response`);
    mainResponseUrl = response.url();
    result.status = response.status();
    result.finalUrl = tab.url();
    if (page.expectStatus !== undefined ? result.status !== page.expectStatus : result.status >= 400) {
      failures.push(`status ${result.status}, expected ${page.expectStatus ?? 'below 400'}`);
    }
    const finalPath = new URL(result.finalUrl).pathname;
    const wantedPath = new URL(url).pathname;
    if (finalPath !== wantedPath && !page.allowRedirect) {
      failures.push(`redirected from ${wantedPath} to ${finalPath} (a missing or stale session cookie?` +
        ' set "allowRedirect": true if this is intended)');
    }

    // b. horizontal overflow, once web fonts are in (they change text widths)
    await tab.evaluate(() => document.fonts?.ready.then(() => undefined));
    result.overflow = await tab.evaluate(measureOverflow, { maxOffenders: MAX_OFFENDERS });
    if (result.overflow.scrollWidth > result.overflow.innerWidth) {
      const o = result.overflow;
      failures.push(
        `horizontal overflow: scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}` +
          (o.offenders.length ? `; widest elements past the edge:\n${o.offenders.map((x) => `      ${describeOffender(x)}`).join('\n')}` : ''),
      );
    }

    // d. axe-core, evaluated through DevTools (not subject to the page's CSP)
    try {
      await tab.evaluate(axe.source);
      const violations = await tab.evaluate(runAxe, { maxTargets: MAX_TARGETS });
      const counts = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
      for (const v of violations) counts[v.impact] = (counts[v.impact] ?? 0) + 1;
      result.axe = { version: axe.version, counts, violations };
    } catch (err) {
      throw new CheckFailure(`axe-core did not run: ${clip(firstLine(err), 300)}`);
    }
    for (const v of result.axe.violations.filter((x) => FAILING_IMPACTS.has(x.impact))) {
      failures.push(
        `axe ${v.impact}: ${v.id} (${v.help}), ${v.nodes} element(s):\n` +
          v.targets.map((t) => `      ${t.target}: ${clip(t.summary, 200)}`).join('\n'),
      );
    }

    // e. screenshot
    if (screenshotDir) {
      const file = path.join(screenshotDir, `${slug}-${viewport.width}.png`);
      await tab.screenshot({ path: file, fullPage: true, timeout: remaining() });
      result.screenshot = file;
    }
  })();
  work.catch(() => {}); // if the deadline wins, the abandoned work must not raise an unhandled rejection

  let timer;
  const safetyNet = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(`timed out after ${timeoutMs / 1000} s`)), timeoutMs + 2_000);
  });
  try {
    await Promise.race([work, safetyNet]);
  } catch (err) {
    failures.push(err instanceof CheckFailure ? err.message : `checker error: ${err.stack || err}`);
  } finally {
    clearTimeout(timer);
    // c. console and page errors, as gathered up to here
    recording = false;
    dedupeLoadErrors(result.consoleErrors);
    if (result.consoleErrors.length) {
      failures.push(
        `${result.consoleErrors.length} console/page error(s):\n` +
          result.consoleErrors.map((e) => `      ${e.kind}: ${clip(norm(e.text), 300)}${e.location ? ` (at ${e.location})` : ''}`).join('\n'),
      );
    }
    await context?.close().catch(() => {});
  }
  result.ok = failures.length === 0;
  result.durationMs = Date.now() - started;
  return result;
}

function resultLine(r) {
  const counts = r.axe ? IMPACTS.map((i) => `${i} ${r.axe.counts[i]}`).join(', ') : 'not run';
  const overflow = r.overflow ? `${r.overflow.scrollWidth}/${r.overflow.innerWidth}` : '-';
  return `${r.ok ? 'ok  ' : 'FAIL'} ${r.name} @${r.width}: status ${r.status ?? '-'}, scrollWidth ${overflow}, ` +
    `console errors ${r.consoleErrors.length}, axe ${counts} (${r.durationMs} ms)`;
}

/**
 * Checks every page at every viewport width; see the head of this file for what is checked.
 * @param {import('playwright-core').Browser} browser a launched Chromium
 * @param {Array<{name: string, path: string, cookies?: Array<{name: string, value: string, path?: string}>,
 *   expectStatus?: number, allowRedirect?: boolean}>} pages
 * @param {{baseUrl: string, screenshotDir?: string, viewports?: Array<{width: number, height: number}>,
 *   timeoutMs?: number, log?: ((line: string) => void) | null}} options
 * @returns {Promise<{ok: boolean, failures: string[], warnings: string[], results: object[], summary: object}>}
 */
export async function checkPages(browser, pages, options = {}) {
  const {
    baseUrl,
    screenshotDir = '',
    viewports = DEFAULT_VIEWPORTS,
    timeoutMs = DEFAULT_PAGE_TIMEOUT_MS,
    log = console.log,
  } = options;
  const say = log || (() => {});
  if (!baseUrl) throw new TypeError('checkPages: options.baseUrl is required');
  const root = new URL(baseUrl).href; // throws on a bad URL
  validatePages(pages);
  const axe = axeCore();
  if (screenshotDir) mkdirSync(screenshotDir, { recursive: true });

  const started = Date.now();
  const results = [];
  const slugs = new Set();
  for (const page of pages) {
    let slug = slugify(page.name);
    for (let n = 2; slugs.has(slug); n++) slug = `${slugify(page.name)}-${n}`;
    slugs.add(slug);
    for (const viewport of viewports) {
      const r = await checkOne(browser, page, viewport, { baseUrl: root, timeoutMs, screenshotDir, slug, axe });
      results.push(r);
      say(resultLine(r));
    }
  }

  const failures = results.flatMap((r) => r.failures.map((f) => `${r.name} @${r.width} (${r.path}): ${f}`));
  const warnings = results.flatMap((r) =>
    (r.axe?.violations ?? [])
      .filter((v) => !FAILING_IMPACTS.has(v.impact))
      .map((v) => `${r.name} @${r.width} (${r.path}): axe ${v.impact}: ${v.id} (${v.help}), ${v.nodes} element(s), e.g. ${v.targets[0]?.target ?? '?'}`),
  );
  const failed = results.filter((r) => !r.ok).length;
  return {
    ok: failed === 0,
    baseUrl: root,
    browser: browser.version(),
    axeCore: axe.version,
    viewports: viewports.map(({ width, height }) => ({ width, height })),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary: { checked: results.length, passed: results.length - failed, failed, pages: pages.length },
    failures,
    warnings,
    results,
  };
}

// ---- command line ----

async function main() {
  const die = (message) => {
    console.error(`check-pages: ${message}`);
    return 1;
  };
  const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
  if (!BASE_URL) return die('environment variable BASE_URL is required');
  try {
    new URL(BASE_URL);
  } catch {
    return die(`BASE_URL is not a URL: ${JSON.stringify(BASE_URL)}`);
  }
  if (!process.env.PAGES) return die('environment variable PAGES is required (a JSON array of {"name", "path", ...})');
  let pages;
  try {
    pages = JSON.parse(process.env.PAGES);
    validatePages(pages);
  } catch (err) {
    return die(`PAGES: ${err.message}`);
  }
  const timeoutMs = process.env.PAGE_TIMEOUT_MS ? Number(process.env.PAGE_TIMEOUT_MS) : DEFAULT_PAGE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1000) return die(`PAGE_TIMEOUT_MS must be a number of milliseconds >= 1000`);
  const REPORT = process.env.REPORT || '';
  const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';
  const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

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
    return die(`FAILED to launch Chromium at ${CHROMIUM} (run scripts/browser-setup, or set CHROMIUM): ${err.message}`);
  }

  let report;
  try {
    console.log(`check-pages: ${pages.length} page(s) x ${DEFAULT_VIEWPORTS.map((v) => v.width).join(', ')} px on ${BASE_URL}`);
    report = await checkPages(browser, pages, { baseUrl: BASE_URL, screenshotDir: SCREENSHOT_DIR, timeoutMs });
  } catch (err) {
    return die(`FAILED: ${err.stack || err}`);
  } finally {
    await browser.close().catch(() => {});
  }

  if (REPORT) {
    mkdirSync(path.dirname(path.resolve(REPORT)), { recursive: true });
    writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`check-pages: report written to ${REPORT}`);
  }
  if (report.warnings.length) {
    console.log(`\nwarnings (minor/moderate axe violations, not failing):`);
    for (const w of report.warnings) console.log(`  ${w}`);
  }
  const s = report.summary;
  if (!report.ok) {
    console.error(`\ncheck-pages: FAILED: ${s.failed} of ${s.checked} page checks (${s.pages} page(s) x ${report.viewports.length} widths)`);
    for (const f of report.failures) console.error(`  - ${f}`);
    return 1;
  }
  console.log(`\ncheck-pages: ok: ${s.passed} of ${s.checked} page checks passed (${s.pages} page(s) x ${report.viewports.length} widths)`);
  return 0;
}

const invokedDirectly = (() => {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) process.exit(await main());
