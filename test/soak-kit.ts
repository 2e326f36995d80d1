// What the fault soaks share: the mix of faults they run under (about 30 % of requests), and a
// failed create counted by its code and held to the contract every soak checks, so that an agent
// can always retry safely.
import { expect } from 'vitest';
import type { FaultPlan } from '../src/emulator/faults.js';
import { errorOf } from './helpers.js';

/** The soaks' fault plan with its own seed: throttling, 5xx, busy, and resets before and after a write is applied. */
export function soakFaults(seed: number, extra: Partial<FaultPlan> = {}): FaultPlan {
  return { seed, throttle: 0.05, serverError: 0.07, busy: 0.06, resetBeforeApply: 0.05, resetAfterApply: 0.07, latencyMs: [0, 2], retryAfterSeconds: 0, ...extra };
}

/**
 * A failed call of a soak's agent: counted in `errors` by code (and outcome), and required to be
 * retryable and to hand back the client token to retry with (the one sent, when one was).
 * Answers that token.
 */
export function retryableFailure(result: unknown, errors: Record<string, number>, sentToken: string | undefined): string {
  const error = errorOf(result);
  const label = `${String(error.error_code)}${error.outcome ? ` (${String(error.outcome)})` : ''}`;
  errors[label] = (errors[label] ?? 0) + 1;
  expect(error.retryable, JSON.stringify(error)).toBe(true);
  expect(error.client_token).toEqual(expect.any(String));
  if (sentToken) expect(error.client_token).toBe(sentToken);
  expect(error).toEqual(expect.objectContaining({ error_msg: expect.any(String), attempts: expect.any(Number), hint: expect.any(String) }));
  return String(error.client_token);
}
