// The observation hooks: what a tool call tells its observers, and that a failing observer never
// changes the call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type CallObservation, NO_CALL_OBSERVATION, NO_OBSERVER, type Observer, observers, type ToolCallEnd, type ToolCallStart } from '../../src/observe/observer.js';
import type { ErAttemptEvent, ErRetryEvent } from '../../src/observe/observer.js';
import { connectInMemory, startTestEmulator } from '../helpers.js';

/** An observer that writes down everything it is told. */
function recorder() {
  const seen = { starts: [] as ToolCallStart[], ends: [] as ToolCallEnd[], attempts: [] as ErAttemptEvent[], retries: [] as ErRetryEvent[], sessions: 0 };
  const observer: Observer = {
    toolCall(start) {
      seen.starts.push(start);
      return { ...NO_CALL_OBSERVATION, erAttempt: (e) => seen.attempts.push(e), erRetry: (e) => seen.retries.push(e), end: (e) => seen.ends.push(e) };
    },
    sessionOpened: () => (seen.sessions += 1),
    sessionClosed: () => (seen.sessions -= 1),
  };
  return { observer, seen };
}

const throwing: Observer = {
  toolCall(): CallObservation {
    throw new Error('observer failed');
  },
  sessionOpened() {
    throw new Error('observer failed');
  },
  sessionClosed: () => undefined,
};

describe('observers()', () => {
  it('is NO_OBSERVER when nobody watches', () => {
    expect(observers([])).toBe(NO_OBSERVER);
    expect(observers([NO_OBSERVER])).toBe(NO_OBSERVER);
  });

  it('tells every observer, and one that throws neither stops the others nor reaches the caller', () => {
    const a = recorder();
    const b = recorder();
    const all = observers([a.observer, throwing, b.observer]);
    all.sessionOpened();
    const call = all.toolCall({ tool: 'list_routers', caller: 'x', readOnly: true, subject: {} }, { send: () => undefined });
    call.end({ outcome: 'ok', errorCode: null });
    for (const { seen } of [a, b]) {
      expect(seen.sessions).toBe(1);
      expect(seen.starts.map((s) => s.tool)).toEqual(['list_routers']);
      expect(seen.ends).toEqual([{ outcome: 'ok', errorCode: null }]);
    }
    const failingEvents: Observer = {
      toolCall: () => ({ ...NO_CALL_OBSERVATION, erAttempt: () => { throw new Error('listener failed'); }, end: () => { throw new Error('listener failed'); } }),
      sessionOpened: () => undefined,
      sessionClosed: () => undefined,
    };
    const c = recorder();
    // Nested as cli.ts nests them: the MCP log observer, then the metrics and OpenTelemetry ones.
    const nested = observers([observers([failingEvents]), c.observer]).toolCall({ tool: 'list_routers', caller: 'x', readOnly: true, subject: {} }, { send: () => undefined });
    const attempt: ErAttemptEvent = { operation: 'listRouters', method: 'GET', attempt: 1, status: 200, failure: null, requestId: 'r', startedAtMs: 0, durationMs: 1 };
    expect(() => nested.erAttempt(attempt)).not.toThrow();
    expect(() => nested.end({ outcome: 'ok', errorCode: null })).not.toThrow();
    expect(c.seen.attempts).toEqual([attempt]);
    expect(c.seen.ends).toEqual([{ outcome: 'ok', errorCode: null }]);
    const alone = observers([throwing]).toolCall({ tool: 't', caller: 'x', readOnly: true, subject: {} }, { send: () => undefined });
    expect(() => alone.approvalWaitStarted({ channel: 'form', planId: null }).end('approved')).not.toThrow();
  });
});

describe('a tool call through the server', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it('reports its start (tool, IDs, the client trace context), each ER attempt by operation, and its end', async () => {
    const { observer, seen } = recorder();
    const harness = await connectInMemory(emulator, { env: { observer } });
    try {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: SANDBOX_IDS.router }, _meta: { traceparent } });
      expect(seen.starts).toEqual([{ tool: 'list_route_tables', caller: 'stdio', readOnly: true, subject: { er_id: SANDBOX_IDS.router }, traceparent, tracestate: undefined }]);
      // The tool may read more than one page; every request it made is reported, by operation.
      expect(seen.attempts.length).toBeGreaterThan(0);
      for (const attempt of seen.attempts) expect([attempt.operation, attempt.method, attempt.attempt, attempt.status]).toEqual(['listRouteTables', 'GET', 1, 200]);
      expect(seen.attempts[0]!.requestId).toMatch(/\S/);
      expect(seen.ends).toEqual([{ outcome: 'ok', errorCode: null }]);
    } finally {
      await harness.close();
    }
  });

  it('ends a failed call with its error code', async () => {
    const { observer, seen } = recorder();
    const harness = await connectInMemory(emulator, { env: { observer } });
    try {
      await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: 'a0000000-0000-4000-8000-00000000dead' } });
      expect(seen.ends).toEqual([{ outcome: 'error', errorCode: expect.stringMatching(/^ER\.\d+$/) }]);
      await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: 'not an id' } });
      expect(seen.ends[1]).toEqual({ outcome: 'error', errorCode: 'INVALID_ARGUMENTS' });
    } finally {
      await harness.close();
    }
  });

  it('reports each retry with its reason before the attempt that follows', async () => {
    const faulty = await startTestEmulator({ faults: { seed: 1, operations: ['listRouteTables'], sequence: ['throttle', 'server-error'] } });
    const { observer, seen } = recorder();
    const harness = await connectInMemory(faulty, { env: { observer } });
    try {
      await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: SANDBOX_IDS.router } });
      expect(seen.retries.map((r) => [r.operation, r.attempt, r.reason, r.status])).toEqual([
        ['listRouteTables', 1, 'throttled', 429],
        ['listRouteTables', 2, 'server_error', expect.any(Number)],
      ]);
      const firstRequest = seen.attempts.slice(0, 3);
      expect(firstRequest.map((a) => [a.attempt, a.status])).toEqual([[1, 429], [2, seen.retries[1]!.status], [3, 200]]);
      expect(seen.ends).toEqual([{ outcome: 'ok', errorCode: null }]);
    } finally {
      await harness.close();
      await faulty.close();
    }
  });
});
