// The connection tools use: ready once the ER clients are loaded (over stdio, after the handshake)
// and the project id is known, configured or looked up through IAM. A call that arrives while it
// is pending waits for it (bounded by its own deadline), so the first call right after start-up
// works instead of asking to call again.
import type { Clock } from './http/clock.js';
import type { Connection, ConnectionSource } from './toolkit/context.js';

type State = Connection | { pending: true; problems: string[]; start?: () => void };

export class ConnectionState implements ConnectionSource {
  private state: State;
  /** Wakes the calls waiting while the connection is pending. */
  private waiters = new Set<() => void>();

  constructor(
    initial: Connection,
    private readonly clock: Clock,
  ) {
    this.state = initial;
  }

  /**
   * The connection is being set up; `problems` says so, should a caller run out of time first.
   * `start` sets it up, if that has not begun yet: the first call that waits runs it (it must do its work once).
   */
  setPending(problems: string[], start?: () => void): void {
    this.state = { pending: true, problems, ...(start ? { start } : {}) };
  }

  /** Settles the connection, ready or not, and wakes every call waiting for it. */
  settle(connection: Connection): void {
    this.state = connection;
    for (const wake of [...this.waiters]) wake();
  }

  /** The connection as it stands, without waiting. */
  current(): Connection {
    return 'pending' in this.state ? { ready: false, problems: this.state.problems } : this.state;
  }

  async get(options: { signal: AbortSignal; deadline: number }): Promise<Connection> {
    while ('pending' in this.state) {
      this.state.start?.();
      const remaining = options.deadline - this.clock.now();
      if (remaining <= 0 || options.signal.aborted) return this.current();
      await this.nextChange(remaining, options.signal);
    }
    return this.state;
  }

  private nextChange(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const abort = new AbortController();
      const done = () => {
        this.waiters.delete(done);
        abort.abort();
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true, signal: abort.signal });
      this.clock.sleep(ms, abort.signal).then(done, () => undefined);
    });
  }
}
