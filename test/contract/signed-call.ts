// One request to the emulator, signed by hand with the project's signer (as the API's own clients
// sign), sent as given: the contract test's way to ask the emulator exactly what the reference lists.
import { Agent, request } from 'undici';
import { SANDBOX_CREDENTIALS } from '../../src/emulator/emulator.js';
import { canonicalQueryString, formatSdkDate, type Query, sign } from '../../src/http/signer.js';
import type { WireAnswer } from './check.js';

export interface SignedCall {
  method: string;
  path: string;
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
}

export async function signedCall(baseUrl: string, agent: Agent, call: SignedCall): Promise<WireAnswer> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { host: url.host, 'x-sdk-date': formatSdkDate(new Date()), ...call.headers };
  // ER calls name their project in X-Project-Id too; the IAM lookup has no project in its path.
  const project = /^\/v3\/([0-9a-f]{32})\//.exec(call.path)?.[1];
  if (project) headers['x-project-id'] = project;
  const body = call.json === undefined ? '' : JSON.stringify(call.json);
  if (body) headers['content-type'] = 'application/json';
  const { authorization } = sign({ method: call.method, path: call.path, query: call.query, headers, body }, SANDBOX_CREDENTIALS);
  const query = canonicalQueryString(call.query);
  const res = await request(`${baseUrl}${call.path}${query ? `?${query}` : ''}`, {
    method: call.method as 'GET',
    headers: { ...headers, authorization },
    body: body || undefined,
    dispatcher: agent,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}
