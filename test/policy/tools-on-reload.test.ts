// The tools a caller is shown follow the policy in force: after a reload the server tells its
// client (notifications/tools/list_changed), and the next tools/list shows the new set.
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import type { Policy } from '../../src/policy/model.js';
import { PolicyHolder } from '../../src/policy/policy-holder.js';
import { connectInMemory, type InMemoryHarness, startTestEmulator } from '../helpers.js';
import { policyOf, tokenAuth } from './fixtures.js';

let emulator: Emulator;
let harness: InMemoryHarness;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

it('a reload that lets the bot disassociate lists delete_route_association for it, and the client is told', async () => {
  const associateOnly = policyOf([{ name: 'bot', callers: { tokens: ['bot'] }, actions: ['associate'] }]);
  const linksToo = policyOf([{ name: 'bot', callers: { tokens: ['bot'] }, actions: ['associate', 'disassociate'] }]);
  const files: Policy[] = [associateOnly, linksToo];
  const holder = new PolicyHolder('/etc/huaweicloud-er-mcp/policy.yaml', () => files.shift()!);
  holder.reload();
  emulator = await startTestEmulator();
  harness = await connectInMemory(emulator, { policy: holder, policyChanges: holder, authInfo: tokenAuth('bot') });
  let told = 0;
  harness.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    told += 1;
  });
  const names = async () => (await harness.client.listTools()).tools.map((t) => t.name);

  expect(await names()).toContain('create_route_association');
  expect(await names()).not.toContain('delete_route_association');
  expect(holder.reload().ok).toBe(true);
  await vi.waitFor(() => expect(told).toBe(1), { timeout: 10_000 });
  expect(await names()).toContain('delete_route_association');
});
