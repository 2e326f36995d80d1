// ConnectionState: what a call waits for before it may use the ER API.
import { describe, expect, it } from 'vitest';
import { ConnectionState } from '../src/connection.js';
import type { ErClient } from '../src/er/client.js';
import { systemClock } from '../src/http/clock.js';

const er = {} as ErClient;
const waitUpTo = (ms: number) => ({ signal: new AbortController().signal, deadline: systemClock.now() + ms });

describe('a pending connection', () => {
  it('is set up by the first call that waits for it, and every waiting call gets it', async () => {
    const connection = new ConnectionState({ ready: false, problems: [] }, systemClock);
    let starts = 0;
    connection.setPending(['still connecting'], () => {
      starts += 1;
      if (starts === 1) setImmediate(() => connection.settle({ ready: true, er, projectId: 'p1' }));
    });
    expect(starts).toBe(0);
    const [first, second] = await Promise.all([connection.get(waitUpTo(10_000)), connection.get(waitUpTo(10_000))]);
    expect(starts).toBeGreaterThanOrEqual(1);
    expect(first).toEqual({ ready: true, er, projectId: 'p1' });
    expect(second).toBe(first);
  });

  it('a call that runs out of time first is told why it is not ready', async () => {
    const connection = new ConnectionState({ ready: false, problems: [] }, systemClock);
    connection.setPending(['still connecting'], () => undefined);
    expect(await connection.get(waitUpTo(0))).toEqual({ ready: false, problems: ['still connecting'] });
  });
});
