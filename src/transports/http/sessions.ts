// Bookkeeping of open MCP sessions: at most `max` at once (places are held from the first
// initialize request on, so a burst cannot overshoot), who owns each, what each is doing, and
// which have been idle too long. Closing them is the caller's job.

export interface SessionRecord<T> {
  id: string;
  /** The caller that opened it: only they may use it. */
  owner: string;
  /** Requests being answered now (not counting the long-lived GET stream). */
  inFlight: number;
  lastActive: number;
  value: T;
}

export interface SessionTableOptions {
  max: number;
  idleMs: number;
  now: () => number;
}

export class SessionTable<T> {
  private readonly sessions = new Map<string, SessionRecord<T>>();
  private reserved = 0;
  private readonly quietWaiters = new Set<() => void>();

  constructor(private readonly options: SessionTableOptions) {}

  /** Open sessions plus places held for sessions being set up. */
  get size(): number {
    return this.sessions.size + this.reserved;
  }

  /** Holds a place for a session being initialized, or null when the table is full. */
  reserve(): { add(id: string, owner: string, value: T): SessionRecord<T>; release(): void } | null {
    if (this.size >= this.options.max) return null;
    this.reserved++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.reserved--;
    };
    return {
      add: (id, owner, value) => {
        release();
        const record = { id, owner, inFlight: 0, lastActive: this.options.now(), value };
        this.sessions.set(id, record);
        return record;
      },
      release,
    };
  }

  /** The session with this id when `owner` opened it; another caller's session is as good as absent. */
  get(id: string, owner: string): SessionRecord<T> | undefined {
    const record = this.sessions.get(id);
    return record && record.owner === owner ? record : undefined;
  }

  /** Removes it; false when it was already gone (so closing happens once). */
  remove(id: string): boolean {
    const record = this.sessions.get(id);
    if (!record) return false;
    this.sessions.delete(id);
    if (record.inFlight > 0) {
      record.inFlight = 0;
      this.notifyIfQuiet();
    }
    return true;
  }

  all(): SessionRecord<T>[] {
    return [...this.sessions.values()];
  }

  begin(record: SessionRecord<T>): void {
    record.inFlight++;
    record.lastActive = this.options.now();
  }

  end(record: SessionRecord<T>): void {
    if (record.inFlight > 0) record.inFlight--;
    record.lastActive = this.options.now();
    this.notifyIfQuiet();
  }

  /** Marks activity that is not a request in flight (a GET stream opening). */
  touch(record: SessionRecord<T>): void {
    record.lastActive = this.options.now();
  }

  /** Sessions with nothing in flight and no request for `idleMs`. */
  idle(): SessionRecord<T>[] {
    const now = this.options.now();
    return this.all().filter((r) => r.inFlight === 0 && now - r.lastActive >= this.options.idleMs);
  }

  inFlight(): number {
    let total = 0;
    for (const record of this.sessions.values()) total += record.inFlight;
    return total;
  }

  /** Resolves once no session has a request in flight. */
  whenQuiet(): Promise<void> {
    if (this.inFlight() === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.add(resolve));
  }

  private notifyIfQuiet(): void {
    if (this.quietWaiters.size === 0 || this.inFlight() > 0) return;
    for (const resolve of this.quietWaiters) resolve();
    this.quietWaiters.clear();
  }
}
