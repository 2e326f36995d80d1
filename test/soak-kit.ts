// What the fault soaks share: a failed create is counted by its code and held to the contract
// every soak checks, so that an agent can always retry safely.
import { expect } from 'vitest';
import { errorOf } from './helpers.js';

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
