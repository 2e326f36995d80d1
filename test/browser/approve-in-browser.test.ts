// A person approves (or rejects) a change on the loopback approval page in a real browser:
// Debian's Chromium, headless, driven by playwright-core. The built server runs over real stdio
// for a client that cannot elicit, so it answers approval_required with the page's URL; the
// browser opens it, shows the plan, and a click on a button submits the page's own form (its
// CSRF field included). The call with plan_id then makes the change, or is declined.
// Run by `npm run test:browser`, not by `npm test`: it needs /usr/bin/chromium (.ci/run installs it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { envFor, errorOf, expectNoCanary, spawnServer, startTestEmulator, structured, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
/**
 * The plan page as a person sees it, before deciding. It replaces the one the docs show only when
 * asked (UPDATE_SCREENSHOT=1), since every run's plan id and times differ.
 */
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL('../../docs/approval-page.png', import.meta.url)) : join(tempDir('er-browser'), 'approval-page.png');
const VIEWPORT = { width: 1000, height: 800 };

const payments = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
// Its effect lists a prefix that appears and one already learned from another attachment.
const office = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.officeVpn };
// A default route to the data centre: the more specific routes of rtb-prod keep their own next hops.
const defaultRoute = { er_id: ids.router, route_table_id: ids.prodTable, destination: '0.0.0.0/0', attachment_id: ids.dcVgw };

interface Pending {
  status: string;
  plan_id: string;
  approval_url: string;
  plan: { routing_effect: Record<string, unknown> | null };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});

let launched: Promise<Browser> | undefined;
afterAll(async () => {
  const browser = await launched?.catch(() => undefined);
  await browser?.close();
  await emulator?.close();
});

/**
 * The one browser of this file, started by the first test that needs it. A missing Chromium
 * fails every test that needs it, with a message saying what to install: never a skip.
 */
function browser(): Promise<Browser> {
  launched ??= (async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}: the browser tests drive Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
    }
    // --no-sandbox: Chromium refuses to start its sandbox as root, which is how CI runs.
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 });
  })();
  return launched;
}

async function newPage(): Promise<Page> {
  const context = await (await browser()).newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

const writes = () => emulator.requests.filter(isWrite);

/** Every destination and prefix listed in a plan's routing effect (its `{count, entries}` lists). */
function destinationsIn(effect: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const value of Object.values(effect)) {
    const entries = (value as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (typeof entry === 'string') found.push(entry);
      else if (typeof (entry as { destination?: unknown } | null)?.destination === 'string') found.push((entry as { destination: string }).destination);
    }
  }
  return found;
}

/** The text of a section of the page: everything between its heading and the next one. */
async function sectionText(page: Page, heading: string): Promise<string> {
  const section = page.locator(`xpath=//h2[normalize-space()="${heading}"]/following-sibling::*[preceding-sibling::h2[1][normalize-space()="${heading}"]]`);
  return (await section.allInnerTexts()).join('\n');
}

/** The value cell of a row in the page's facts table. */
function fact(page: Page, label: string): Promise<string> {
  return page.locator('table.facts tr', { has: page.locator(`th:text-is("${label}")`) }).locator('td').innerText();
}

/**
 * Clicks the decision button as a person would, and waits for the browser's own form POST to be
 * answered and the answer's page to load. Returns what the browser sent and the status it got.
 */
async function clickAndWait(page: Page, button: string): Promise<{ body: string; status: number }> {
  const planUrl = page.url();
  const [request] = await Promise.all([
    page.waitForRequest((sent) => sent.method() === 'POST' && sent.url() === planUrl),
    page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()),
    page.locator(button).click(),
  ]);
  const response = await request.response();
  await page.waitForLoadState('load');
  return { body: request.postData() ?? '', status: response?.status() ?? 0 };
}

describe('the approval page in a real browser (a client without elicitation)', () => {
  it('shows the plan and its routing effect; Approve submits the form, and the call with plan_id makes the change', async () => {
    const page = await newPage();
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off']);
    const seen: string[] = [];
    try {
      const writesBefore = writes().length;
      const pending = structured<Pending>(await server.client.callTool({ name: 'create_route_association', arguments: payments }));
      seen.push(JSON.stringify(pending));
      expect(pending.status).toBe('approval_required');
      expect(pending.approval_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/approvals\/plan-/);
      const destinations = destinationsIn(pending.plan.routing_effect ?? {});
      // The association makes vpc-payments look up routes in rtb-prod: the effect lists them.
      expect(destinations.length).toBeGreaterThan(0);

      const shown = await page.goto(pending.approval_url, { waitUntil: 'load' });
      expect(shown?.status()).toBe(200);
      seen.push(await page.locator('body').innerText());
      expect(await page.locator('h1').innerText()).toContain('Approve this change?');
      expect(await fact(page, 'Attachment')).toContain('vpc-payments');
      expect(await fact(page, 'Route table')).toContain('rtb-prod');
      expect(await fact(page, 'Router')).toContain('er-shanghai-core');
      const effect = await sectionText(page, 'Routing effect');
      expect(effect).toContain('rtb-prod');
      for (const destination of destinations) expect(effect).toContain(destination);
      expect(await page.locator('button.approve').isVisible()).toBe(true);
      expect(await page.locator('button.reject').isVisible()).toBe(true);
      const csrf = await page.locator('input[type="hidden"][name="csrf"]').inputValue();
      expect(csrf).not.toBe('');

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = readFileSync(SCREENSHOT);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(VIEWPORT.width);

      // Looking at the page sends nothing.
      expect(writes()).toHaveLength(writesBefore);

      const post = await clickAndWait(page, 'button.approve');
      expect(post.status).toBe(200);
      expect(new URLSearchParams(post.body).get('csrf')).toBe(csrf);
      expect(new URLSearchParams(post.body).get('decision')).toBe('approve');
      const decided = await page.locator('h1').innerText();
      seen.push(await page.locator('body').innerText());
      expect(decided).toMatch(/^Approved by \S+ at .+ \(via page\)$/);
      expect(writes()).toHaveLength(writesBefore);

      const created = structured<{ association: { state: string }; plan_id: string }>(
        await server.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: pending.plan_id } }),
      );
      seen.push(JSON.stringify(created));
      expect(created.plan_id).toBe(pending.plan_id);
      expect(created.association.state).toBe('pending');
      expect(writes().slice(writesBefore)).toEqual([expect.objectContaining({ operation: 'associateRouteTable', status: 202 })]);
    } finally {
      await page.context().close();
      await server.close();
    }
    expectNoCanary(...seen, server.stderr());
  });

  it('Reject in the browser is final: the call with plan_id is declined and nothing is written', async () => {
    const page = await newPage();
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off']);
    try {
      const writesBefore = writes().length;
      const pending = structured<Pending>(await server.client.callTool({ name: 'create_route_propagation', arguments: office }));
      expect(pending.status).toBe('approval_required');

      await page.goto(pending.approval_url, { waitUntil: 'load' });
      expect(await fact(page, 'Attachment')).toContain('vpn-office');
      const destinations = destinationsIn(pending.plan.routing_effect ?? {});
      expect(destinations.length).toBeGreaterThan(0);
      const effect = await sectionText(page, 'Routing effect');
      for (const destination of destinations) expect(effect).toContain(destination);

      const post = await clickAndWait(page, 'button.reject');
      expect(post.status).toBe(200);
      expect(new URLSearchParams(post.body).get('decision')).toBe('reject');
      expect(await page.locator('h1').innerText()).toMatch(/^Rejected by \S+ at .+ \(via page\)$/);

      const error = errorOf(await server.client.callTool({ name: 'create_route_propagation', arguments: { ...office, plan_id: pending.plan_id } }));
      expect(error).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
      expect(writes()).toHaveLength(writesBefore);
    } finally {
      await page.context().close();
      await server.close();
    }
  });
  it('a static route: the page says where the new route sends traffic and where traffic goes before and after; Reject writes nothing', async () => {
    const page = await newPage();
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off']);
    try {
      const writesBefore = writes().length;
      const pending = structured<Pending>(await server.client.callTool({ name: 'create_static_route', arguments: defaultRoute }));
      expect(pending.status).toBe('approval_required');
      const moreSpecific = destinationsIn({ more_specific: pending.plan.routing_effect?.more_specific });
      expect(moreSpecific.length).toBeGreaterThan(0);

      await page.goto(pending.approval_url, { waitUntil: 'load' });
      expect(await fact(page, 'Destination')).toBe('0.0.0.0/0');
      expect(await fact(page, 'Next hop')).toContain('vgw-dc-shanghai');
      expect(await fact(page, 'Now')).toBe('no static route to 0.0.0.0/0');
      const route = await sectionText(page, 'Static route');
      expect(route).toContain('Adds a static route to 0.0.0.0/0 that sends traffic to vgw-dc-shanghai');
      const effect = await sectionText(page, 'Routing effect');
      expect(effect).toMatch(/Before\s+none\s+no route \(dropped\)/);
      expect(effect).toMatch(/After\s+0\.0\.0\.0\/0 \(static\)\s+vgw-dc-shanghai/);
      expect(effect).toContain('More specific routes that keep their own next hops');
      for (const destination of moreSpecific) expect(effect).toContain(destination);

      const post = await clickAndWait(page, 'button.reject');
      expect(post.status).toBe(200);
      expect(await page.locator('h1').innerText()).toMatch(/^Rejected by \S+ at .+ \(via page\)$/);
      const error = errorOf(await server.client.callTool({ name: 'create_static_route', arguments: { ...defaultRoute, plan_id: pending.plan_id } }));
      expect(error).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
      expect(writes()).toHaveLength(writesBefore);
    } finally {
      await page.context().close();
      await server.close();
    }
  });
});
