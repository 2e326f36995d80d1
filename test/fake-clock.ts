// A Clock whose time moves only when a test says so, so waits and deadlines are measured in
// clock time, never wall time. It starts at the current second so signatures stay valid.
import type { Clock } from '../src/http/clock.js';

interface Sleeper {
  until: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private readonly sleepers = new Set<Sleeper>();
  /** Every wait asked for, in order, in milliseconds. */
  readonly sleeps: number[] = [];

  /**
   * @param autoAdvance when true, a sleep moves time forward by its length and resolves at once
   *   (retries run without waiting); when false, sleeps wait for `advance`.
   */
  constructor(
    private readonly autoAdvance: boolean,
    start = Math.floor(Date.now() / 1000) * 1000,
  ) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.autoAdvance) {
      this.current += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        until: this.current + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  /** Moves time forward, waking every sleeper whose time has come. */
  advance(ms: number): void {
    this.current += ms;
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.until <= this.current) {
        this.sleepers.delete(sleeper);
        sleeper.resolve();
      }
    }
  }

  /** Sleeps still waiting: a cancelled one must not be among them. */
  pending(): number {
    return this.sleepers.size;
  }
}
