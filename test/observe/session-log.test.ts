// The session's log level and the sending of one call's notifications: the default level, a level
// per session, and a client that went away never failing the call.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { LoggingMessageNotificationSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { MCP_LOG_OBSERVER } from '../../src/observe/mcp-log.js';
import { observers } from '../../src/observe/observer.js';
import { DEFAULT_LOG_LEVEL, sessionLog } from '../../src/observe/session-log.js';
import { connectInMemory, type InMemoryHarness, startTestEmulator } from '../helpers.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function extraSending(sendNotification: Extra['sendNotification']): Extra {
  return { sendNotification } as Extra;
}

const newServer = () => new Server({ name: 't', version: '1' }, { capabilities: { logging: {} } });

describe('sessionLog', () => {
  it('before any logging/setLevel: warning and worse are sent, info and debug are not', () => {
    const sent: ServerNotification[] = [];
    const log = sessionLog(newServer(), extraSending(async (n) => void sent.push(n)));
    for (const level of ['debug', 'info', 'notice', 'warning', 'error'] as const) log.send(level, { message: level });
    expect(DEFAULT_LOG_LEVEL).toBe('warning');
    expect(sent).toEqual([
      { method: 'notifications/message', params: { level: 'warning', logger: 'huaweicloud-er-mcp', data: { message: 'warning' } } },
      { method: 'notifications/message', params: { level: 'error', logger: 'huaweicloud-er-mcp', data: { message: 'error' } } },
    ]);
  });

  it('a client that went away fails no call: a send that rejects or throws is swallowed, and so is a throwing observer', async () => {
    const rejecting = sessionLog(newServer(), extraSending(() => Promise.reject(new Error('Not connected'))));
    const throwing = sessionLog(newServer(), extraSending(() => {
      throw new Error('Not connected');
    }));
    expect(() => rejecting.send('error', { message: 'x' })).not.toThrow();
    expect(() => throwing.send('error', { message: 'x' })).not.toThrow();
    // Through the observer list the CLI uses: a retry told to a gone client is not the call's failure.
    const call = observers([MCP_LOG_OBSERVER]).toolCall({ tool: 't', caller: 'c', readOnly: true, subject: {} }, throwing);
    expect(() => call.erRetry({ operation: 'listRouteTables', attempt: 1, reason: 'throttled', status: 429, delayMs: 10, retryAfterMs: null })).not.toThrow();
    // A rejected send surfaces nowhere (an unhandled rejection would fail the run).
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe('levels per session', () => {
  let emulator: Emulator;
  const harnesses: InMemoryHarness[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
    await emulator?.close();
  });

  it('one session at debug, another never set: only the first hears its attempts', async () => {
    emulator = await startTestEmulator();
    const heard: string[][] = [[], []];
    for (const i of [0, 1]) {
      const harness = await connectInMemory(emulator);
      harness.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void heard[i]!.push(n.params.level));
      harnesses.push(harness);
    }
    await harnesses[0]!.client.setLoggingLevel('debug');
    for (const harness of harnesses) expect((await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: ids.router } })).isError).toBeFalsy();
    expect(heard[0]!.length).toBeGreaterThan(0);
    expect(new Set(heard[0])).toEqual(new Set(['debug']));
    expect(heard[1]).toEqual([]);
  });
});
