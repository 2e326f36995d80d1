// Bookkeeping of open MCP sessions: at most `max` at once and at most `maxPerOwner` for any one
// caller (places are held from the first initialize request on, so a burst cannot overshoot), who
// owns each, what each is doing, and which have been idle too long. Closing them is the caller's
// job. The share per caller exists because one caller filling the whole table locked everybody
// else out until its sessions went idle (15 minutes by default).

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
  /** The most sessions (open or being set up) one owner may hold; defaults to `max`. */
  maxPerOwner?: number;
  idleMs: number;
  now: () => number;
  /** Told when a session is added and when it is removed (the open-sessions metric). */
  onOpened?: () => void;
  onClosed?: () => void;
}

/** A held place: `add` turns it into the owner's session, `release` gives it back. */
export interface Place<T> {
  ok: true;
  add(id: string, value: T): SessionRecord<T>;
  release(): void;
}

/** No place: the table is full (`cap`), or this owner holds its whole share already (`share`). */
export interface NoPlace {
  ok: false;
  reason: 'cap' | 'share';
}

export class SessionTable<T> {
  private readonly sessions = new Map<string, SessionRecord<T>>();
  private reserved = 0;
  /** Sessions plus held places, per owner; an owner with none is not in the map. */
  private readonly held = new Map<string, number>();
  private readonly quietWaiters = new Set<() => void>();

  constructor(private readonly options: SessionTableOptions) {}

  /** Open sessions plus places held for sessions being set up. */
  get size(): number {
    return this.sessions.size + this.reserved;
  }

  /** The most one owner may hold at once. */
  get maxPerOwner(): number {
    return Math.min(this.options.maxPerOwner ?? this.options.max, this.options.max);
  }

  /** Open sessions plus places being set up that belong to this owner. */
  heldBy(owner: string): number {
    return this.held.get(owner) ?? 0;
  }

  /** Holds a place for a session `owner` is initializing, unless the table or the owner's share is full. */
  reserve(owner: string): Place<T> | NoPlace {
    // The share first: a caller past it is told about its own sessions, whatever the others do
    // (unless the share is the whole table, when "full" is the plainer answer).
    const share = this.maxPerOwner;
    if (share < this.options.max && this.heldBy(owner) >= share) return { ok: false, reason: 'share' };
    if (this.size >= this.options.max) return { ok: false, reason: 'cap' };
    this.reserved++;
    this.count(owner, +1);
    let pending = true;
    const settle = () => {
      if (!pending) return false;
      pending = false;
      this.reserved--;
      return true;
    };
    return {
      ok: true,
      add: (id, value) => {
        // The owner's count moves from the place to the session (and counts anew if the place was given back).
        if (!settle()) this.count(owner, +1);
        const record = { id, owner, inFlight: 0, lastActive: this.options.now(), value };
        this.sessions.set(id, record);
        this.options.onOpened?.();
        return record;
      },
      release: () => {
        if (settle()) this.count(owner, -1);
      },
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
    this.count(record.owner, -1);
    this.options.onClosed?.();
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

  private count(owner: string, by: 1 | -1): void {
    const next = this.heldBy(owner) + by;
    if (next > 0) this.held.set(owner, next);
    else this.held.delete(owner);
  }

  private notifyIfQuiet(): void {
    if (this.quietWaiters.size === 0 || this.inFlight() > 0) return;
    for (const resolve of this.quietWaiters) resolve();
    this.quietWaiters.clear();
  }
}
