// tools/list with a listing built ahead (the shipped bundle): its JSON text is the answer when
// nothing can be hidden from the caller; otherwise the entries are filtered as always. The catalog
// here gives the two forms different descriptions, so the answer shows which one was used.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionState } from '../src/connection.js';
import { NO_AUDIT } from '../src/guardrails/audit.js';
import { createGate } from '../src/guardrails/gate.js';
import { UNRESTRICTED } from '../src/guardrails/guardrail-settings.js';
import { systemClock } from '../src/http/clock.js';
import { silentLogger } from '../src/log.js';
import { SCOPES } from '../src/scopes.js';
import { installTools } from '../src/tool-host.js';
import { DEFAULT_MAX_WAIT_MS, DEFAULT_POLL, NO_SETTLE_CHECKS, type ToolEnv } from '../src/toolkit/context.js';
import type { ToolCatalog } from '../src/tools/catalog.js';

const tool = (name: string, description: string, writes: boolean): Tool => ({
  name,
  description,
  inputSchema: { type: 'object' },
  annotations: { readOnlyHint: !writes, destructiveHint: false, idempotentHint: true, openWorldHint: false },
});
const ENTRIES = [tool('look', 'from the entries', false), tool('change', 'from the entries', true)];
const BUILT_TEXT = JSON.stringify([tool('look', 'sent as built text', false), tool('change', 'sent as built text', true)]);

const catalog: ToolCatalog = {
  listing: async () => new Map(ENTRIES.map((t) => [t.name, t])),
  listingJson: () => BUILT_TEXT,
  definition: async () => {
    throw new Error('not called by tools/list');
  },
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function listTools(options: { readOnly?: boolean; authInfo?: AuthInfo } = {}): Promise<Tool[]> {
  const log = silentLogger();
  const env: ToolEnv = { region: 'r', sandbox: false, clock: systemClock, log, callDeadlineMs: 1_000, poll: DEFAULT_POLL, maxWaitMs: DEFAULT_MAX_WAIT_MS, settled: NO_SETTLE_CHECKS };
  const { gate } = createGate({ settings: { ...UNRESTRICTED, readOnly: options.readOnly ?? false }, audit: NO_AUDIT, clock: systemClock, log, region: 'r', sandbox: false });
  const server = new Server({ name: 't', version: '1' }, { capabilities: { tools: {} } });
  installTools(server, { tools: catalog, env, connection: new ConnectionState({ ready: false, problems: [] }, systemClock), gate, defaultCaller: 'test' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  if (options.authInfo) {
    const send = clientTransport.send.bind(clientTransport);
    clientTransport.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo: options.authInfo });
  }
  const client = new Client({ name: 'test', version: '1' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  close = () => client.close();
  return (await client.listTools()).tools;
}

describe('tools/list from a listing built ahead', () => {
  it('answers with the built text when nothing can be hidden (no read-only, no scopes, no policy)', async () => {
    expect(await listTools()).toEqual(JSON.parse(BUILT_TEXT));
  });

  it('also for a caller whose token has the write scope', async () => {
    const authInfo = { token: 't', clientId: 'c', scopes: [SCOPES.read, SCOPES.write] };
    expect((await listTools({ authInfo })).map((t) => t.description)).toEqual(['sent as built text', 'sent as built text']);
  });

  it('filters the entries when the server is read-only', async () => {
    expect(await listTools({ readOnly: true })).toEqual([ENTRIES[0]]);
  });

  it('filters the entries for a caller without the write scope', async () => {
    expect(await listTools({ authInfo: { token: 't', clientId: 'c', scopes: [SCOPES.read] } })).toEqual([ENTRIES[0]]);
  });
});
