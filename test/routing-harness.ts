// A sandbox emulator on a fake clock with an ErClient for reads and raw signed requests for
// propagation writes (one attempt each, so a test sees every answer). Shared by the emulator's
// propagation and static-route tests and the routing-effect tests.
import { expect } from 'vitest';
import type { Emulator, EmulatorOptions } from '../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, sandboxTopology } from '../src/emulator/topology.js';
import { ErClient } from '../src/er/client.js';
import { ErApiError } from '../src/er/errors.js';
import type { EffectiveRoute } from '../src/er/types.js';
import { HttpClient, type HttpResult } from '../src/http/http-client.js';
import { FakeClock } from './fake-clock.js';
import { CANARY, startTestEmulator, withProdBlackhole } from './helpers.js';

export const AVAILABLE_AFTER_MS = 5_000;
export const DELETED_AFTER_MS = 3_000;

export interface Api {
  emulator: Emulator;
  clock: FakeClock;
  er: ErClient;
  /** The signed client behind `er`, for requests a test builds by hand. */
  http: HttpClient;
  enable(tableId: string, attachmentId: string, token?: string): Promise<HttpResult>;
  disable(tableId: string, attachmentId: string): Promise<HttpResult>;
  body(result: HttpResult): Record<string, unknown> & { error_code?: string };
}

const open: Array<{ emulator: Emulator; http: HttpClient }> = [];

/** Closes every api() opened so far; test/per-file-hooks.ts calls it after each test. */
export async function closeApis(): Promise<void> {
  for (const { emulator, http } of open.splice(0)) {
    await http.close();
    await emulator.close();
  }
}

/** One attempt per request: the tests see each answer the emulator gives. */
export async function api(options: Partial<EmulatorOptions> = {}): Promise<Api> {
  const clock = new FakeClock(true);
  const emulator = await startTestEmulator({ availableAfterMs: AVAILABLE_AFTER_MS, deletedAfterMs: DELETED_AFTER_MS, now: () => clock.now(), ...options });
  const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, clock, retry: { maxAttempts: 1 } });
  open.push({ emulator, http });
  const projectId = emulator.store.topology.projectId;
  const write = (tableId: string, verb: string, attachmentId: string, token?: string) =>
    http.request({
      method: 'POST',
      path: `/v3/${projectId}/enterprise-router/${ids.router}/route-tables/${tableId}/${verb}`,
      json: { attachment_id: attachmentId },
      headers: { 'X-Project-Id': projectId, ...(token ? { 'X-Client-Token': token } : {}) },
    });
  return {
    emulator,
    clock,
    er: new ErClient(http, projectId),
    http,
    enable: (tableId, attachmentId, token) => write(tableId, 'enable-propagations', attachmentId, token),
    disable: (tableId, attachmentId) => write(tableId, 'disable-propagations', attachmentId),
    body: (result) => (result.body ? JSON.parse(result.body) : {}) as Record<string, unknown> & { error_code?: string },
  };
}

/** api() on the sandbox with rtb-prod's blackhole to 10.30.0.0/16 seeded (withProdBlackhole). */
export function apiWithProdBlackhole(options: Partial<EmulatorOptions> = {}): Promise<Api> {
  return api({ topology: withProdBlackhole(sandboxTopology()), ...options });
}

export async function propagationOf(a: Api, tableId: string, attachmentId: string): Promise<Record<string, unknown> | null> {
  return a.er.findPropagation({ erId: ids.router, routeTableId: tableId, attachmentId });
}

export async function routesOf(a: Api, tableId: string): Promise<EffectiveRoute[]> {
  const routes: EffectiveRoute[] = [];
  for await (const route of a.er.listAll((marker) => a.er.listEffectiveRoutes(tableId, { marker, limit: 2000 }))) routes.push(route);
  return routes;
}

/** Destination → "attachment ids of the next hops" or "blackhole", sorted by destination. */
export async function table(a: Api, tableId: string): Promise<Record<string, string>> {
  const routes = await routesOf(a, tableId);
  const entries = routes.map((r) => [r.destination, r.is_blackhole ? 'blackhole' : (r.next_hops ?? []).map((h) => `${h.attachment_id} ${r.route_type}`).join(',')] as const);
  return Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
}

/** The call fails with this HTTP status and ER error code. */
export async function expectApiError(promise: Promise<unknown>, status: number, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ErApiError);
  expect({ status: (error as ErApiError).httpStatus, code: (error as ErApiError).errorCode }).toEqual({ status, code });
}
