// Approval in every kind of client, on the built server over real stdio: a client without
// elicitation is answered approval_required and the person approves on the loopback page (by
// POST, as a script or chat-ops bot would), a client with URL elicitation is sent to that page,
// and a rejection there is final. Nothing reaches the API before approval.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { envFor, errorOf, expectNoCanary, spawnServer, startTestEmulator, structured, tempDir } from '../helpers.js';

const payments = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
const partner = { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.partnerPeering };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const writes = () => emulator.requests.filter(isWrite);
const audit = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

async function decide(url: string, decision: 'approve' | 'reject'): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ decision }) });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('a client without elicitation (a chat-ops bot)', () => {
  it('gets approval_required with a loopback page; approved there by POST, the call with plan_id makes the change', async () => {
    const auditPath = join(tempDir('er-approvals'), 'audit.jsonl');
    const server = await spawnServer(envFor(emulator), ['--audit-log', auditPath]);
    const seen: string[] = [];
    try {
      const writesBefore = writes().length;
      const pending = structured<{ status: string; plan_id: string; approval_url: string; hint: string; plan: { routing_effect: unknown } }>(
        await server.client.callTool({ name: 'create_route_association', arguments: payments }),
      );
      seen.push(JSON.stringify(pending));
      expect(pending.status).toBe('approval_required');
      expect(pending.approval_url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/[A-Za-z0-9_-]{43}/approvals/${pending.plan_id}$`));
      expect(pending.hint).toContain('approval_url');
      expect(pending.plan.routing_effect).not.toBeNull();

      // The page shows the plan to the person.
      const page = await fetch(pending.approval_url, { headers: { accept: 'text/html' } });
      const html = await page.text();
      seen.push(html);
      expect(page.status).toBe(200);
      expect(html).toContain('vpc-payments');
      expect(html).toContain('Approve');

      // Before a decision: the same answer, and nothing sent.
      const again = structured<{ status: string }>(await server.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: pending.plan_id } }));
      expect(again.status).toBe('approval_required');
      expect(writes()).toHaveLength(writesBefore);

      const decided = await decide(pending.approval_url, 'approve');
      expect(decided).toMatchObject({ status: 200, body: { plan_id: pending.plan_id, status: 'approved' } });
      const created = structured<{ association: { state: string }; plan_id: string }>(await server.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: pending.plan_id } }));
      seen.push(JSON.stringify(created));
      expect(created).toMatchObject({ association: { state: 'pending' }, plan_id: pending.plan_id });
      expect(writes().slice(writesBefore)).toEqual([expect.objectContaining({ operation: 'associateRouteTable', status: 202 })]);

      const records = audit(auditPath);
      expect(records.map((r) => r.event)).toEqual(['approval_requested', 'outcome', 'outcome', 'approved', 'intent', 'outcome']);
      const caller = records[0]!.requested_by as string;
      expect(caller).toMatch(/^stdio:/);
      expect(records[3]).toMatchObject({ plan_id: pending.plan_id, person: caller, channel: 'page' });
      expect(records[4]).toMatchObject({ plan_id: pending.plan_id, requested_by: caller, approved_by: caller, approval_channel: 'page' });
    } finally {
      await server.close();
    }
    expectNoCanary(...seen, server.stderr());
  });

  it('a rejection on the page is final: the next call is declined and nothing is sent', async () => {
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off']);
    try {
      const pending = structured<{ plan_id: string; approval_url: string }>(await server.client.callTool({ name: 'create_route_propagation', arguments: partner }));
      expect((await decide(pending.approval_url, 'reject')).body).toMatchObject({ status: 'rejected' });
      const writesBefore = writes().length;
      const error = errorOf(await server.client.callTool({ name: 'create_route_propagation', arguments: { ...partner, plan_id: pending.plan_id } }));
      expect(error).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
      expect(writes()).toHaveLength(writesBefore);
      // Deciding differently afterwards is refused.
      expect((await decide(pending.approval_url, 'approve')).status).toBe(409);
    } finally {
      await server.close();
    }
  });
});

describe('a client with URL elicitation', () => {
  it('is sent to the page; once the person approves there, the same call makes the change', async () => {
    const auditPath = join(tempDir('er-approvals'), 'audit.jsonl');
    const offered: Array<{ mode?: string; url?: string }> = [];
    const server = await spawnServer(envFor(emulator), ['--audit-log', auditPath], {
      elicitation: {
        modes: { url: {} },
        answer: async (request) => {
          const params = request.params as { mode?: string; url?: string };
          offered.push(params);
          // The person opens the link and approves on the page, then the client says they went.
          await decide(params.url!, 'approve');
          return { action: 'accept' };
        },
      },
    });
    try {
      const vpn = { ...payments, attachment_id: ids.officeVpn };
      const writesBefore = writes().length;
      const created = structured<{ propagation: { state: string } }>(await server.client.callTool({ name: 'create_route_propagation', arguments: vpn }));
      expect(created.propagation.state).toBe('pending');
      expect(offered).toEqual([expect.objectContaining({ mode: 'url', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/approvals\/plan-/) })]);
      expect(writes().slice(writesBefore)).toEqual([expect.objectContaining({ operation: 'enablePropagation' })]);
      expect(audit(auditPath).find((r) => r.event === 'intent')).toMatchObject({ approval_channel: 'url' });
    } finally {
      await server.close();
    }
  });
});

describe('a client with form elicitation', () => {
  it('an answer of the wrong shape approves nothing (the bundle loads its schema validator with the first form); the right one then makes the change', async () => {
    const answers = [{ approve: 'yes' }, { approve: true }];
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off'], {
      elicitation: { modes: { form: {} }, answer: async () => ({ action: 'accept', content: answers.shift()! }) },
    });
    try {
      const writesBefore = writes().length;
      const refused = errorOf(await server.client.callTool({ name: 'create_route_association', arguments: partner }));
      expect(refused.error_code).toBe('CONFIRMATION_FAILED');
      expect(String(refused.error_msg)).toContain('does not match requested schema');
      expect(writes()).toHaveLength(writesBefore);

      const created = structured<{ association: { state: string } }>(await server.client.callTool({ name: 'create_route_association', arguments: partner }));
      expect(created.association.state).toBe('pending');
      expect(writes().slice(writesBefore)).toEqual([expect.objectContaining({ operation: 'associateRouteTable' })]);
      expect(answers).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
