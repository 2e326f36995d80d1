// The stdio server's gate is made by the first call that needs it; until then it answers from
// the settings alone, and a shutdown before any write has nothing to wait for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/guardrails/audit.js';
import { DeferredGate } from '../../src/guardrails/deferred-gate.js';
import { UNRESTRICTED } from '../../src/guardrails/guardrail-settings.js';
import { silentLogger } from '../../src/log.js';
import { FakeClock } from '../fake-clock.js';
import { errorOf, tempDir } from '../helpers.js';

function deferredGate(readOnly: boolean) {
  const auditPath = join(tempDir('er-deferred-gate'), 'audit.jsonl');
  const created: unknown[] = [];
  const desks: unknown[] = [];
  const gate = new DeferredGate({
    gate: { settings: { ...UNRESTRICTED, readOnly, auditLogPath: auditPath }, audit: openAuditLog(auditPath), clock: new FakeClock(false), log: silentLogger(), region: 'cn-north-4', sandbox: false },
    pages: (desk) => {
      desks.push(desk);
      return { urlFor: async (planId) => `http://127.0.0.1:1/${planId}` };
    },
    onCreated: (made) => created.push(made),
  });
  return { gate, created, desks, auditPath };
}

const SESSION = { caller: 'stdio:test', projectId: null, identity: { caller: 'stdio:test', groups: [], local: true } };

describe('DeferredGate', () => {
  it('answers settings, policy and shutting-down without making the gate', () => {
    const { gate, created } = deferredGate(true);
    expect(gate.settings.readOnly).toBe(true);
    expect(gate.currentPolicy()).toBeNull();
    expect(gate.shuttingDown).toBe(false);
    expect(created).toEqual([]);
  });

  it('makes the gate once, with its pages, at the first refusal, which it records in the audit', async () => {
    const { gate, created, desks, auditPath } = deferredGate(true);
    const args = { er_id: 'er-1', route_table_id: 'rtb-1', attachment_id: 'att-1' };
    expect(errorOf(await gate.refuseHidden('create_route_association', args, SESSION, 'read_only')).error_code).toBe('READ_ONLY');
    expect(errorOf(await gate.refuseHidden('delete_route_association', args, SESSION, 'read_only')).error_code).toBe('READ_ONLY');
    expect(created).toHaveLength(1);
    expect(desks).toEqual([(created[0] as { desk: unknown }).desk]);
    const tools = readFileSync(auditPath, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { tool: string }).tool);
    expect(tools).toEqual(['create_route_association', 'delete_route_association']);
  });

  it('stops taking calls when drained before any write, without making the gate', async () => {
    const { gate, created } = deferredGate(false);
    await gate.drain(1_000);
    expect(gate.shuttingDown).toBe(true);
    expect(created).toEqual([]);
  });
});
