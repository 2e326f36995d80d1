// Answers no ER endpoint would give — a huge body, a giant or control-character-laden message —
// are bounded before they reach memory or an agent.
import { afterEach, describe, expect, it } from 'vitest';
import { ErApiError } from '../../src/er/errors.js';
import { HttpClient, HttpFailure, MAX_RESPONSE_BYTES } from '../../src/http/http-client.js';
import { CANARY } from '../helpers.js';
import { type ScriptedServer, startScriptedServer } from '../scripted-server.js';

let scripted: ScriptedServer;
let http: HttpClient;
afterEach(async () => {
  await http.close();
  await scripted.close();
});

describe('unusable answers', () => {
  it('a body larger than any ER answer is cut off and not retried', async () => {
    scripted = await startScriptedServer(() => ({ status: 200, body: 'x'.repeat(MAX_RESPONSE_BYTES + 1) }));
    http = new HttpClient({ endpoint: scripted.url, credentials: CANARY });
    const error = await http.request({ method: 'GET', path: '/v3/p/enterprise-router/instances' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpFailure);
    expect(error).toMatchObject({ kind: 'oversized_response', attempts: 1 });
    expect(scripted.requests).toHaveLength(1);
  });

  it('an error message is kept printable and at most 500 characters', async () => {
    const message = `bad\u0007thing\n${'y'.repeat(10_000)}`;
    scripted = await startScriptedServer(() => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error_code: 'ER.04009005', error_msg: message }) }));
    http = new HttpClient({ endpoint: scripted.url, credentials: CANARY });
    const result = await http.request({ method: 'GET', path: '/x' });
    const error = new ErApiError(result);
    expect(error.errorMsg.length).toBeLessThanOrEqual(500);
    expect(error.errorMsg).not.toMatch(/[\u0000-\u001f]/);
    expect(error.errorMsg.startsWith('bad')).toBe(true);
  });
});
