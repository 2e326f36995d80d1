// Logs go to stderr (fd 2) only: stdout carries JSON-RPC and nothing else.
//
// pino writes them (src/log-pino.ts: redaction, format, levels). Loading pino with SonicBoom and
// the built-ins they pull in costs a stdio server several milliseconds before its first answer,
// in every IDE window, for lines nobody needs that soon. So the logger the program gets is this
// stand-in: it keeps each record (with the time it was made) until pino is loaded, then hands
// them to pino in order, with their own times, and passes every later record straight through.
// Loading starts when the program says (`startWriting`: the CLI does it once the first answers
// are out), at the first error, or when the program waits for its lines (`written`, before exit).
import type { Logger as PinoLogger } from 'pino';

/** One level's method: a message, or an object of fields with an optional message (pino's forms). */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** What the program logs with: the part of pino's logger it uses, so a pino logger is one too. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

type Method = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's numbers for its levels: a record is kept when its level is at or above the logger's. */
const SEVERITY: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

interface PendingRecord {
  time: number;
  logger: DeferredLogger;
  method: Method;
  args: unknown[];
}

/** What a logger and its children share: the level, the records not written yet, pino once loaded. */
class Sink {
  readonly threshold: number;
  pending: PendingRecord[] = [];
  root?: PinoLogger;
  /** The time of the record being handed to pino, so that its line carries when it was made. */
  replayTime?: number;
  private loading?: Promise<void>;

  constructor(readonly level: string) {
    this.threshold = SEVERITY[level] ?? SEVERITY.info!;
  }

  load(): Promise<void> {
    this.loading ??= import('./log-pino.js').then(({ pinoLogger }) => {
      this.root = pinoLogger(this.level, () => this.replayTime ?? Date.now());
      // Records made while a replayed one is written (none today) join the end of the queue.
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        for (const record of batch) {
          this.replayTime = record.time;
          try {
            record.logger.real()[record.method](...(record.args as [object, string?]));
          } finally {
            this.replayTime = undefined;
          }
        }
      }
    });
    return this.loading;
  }
}

/** The logger the program holds: see the top of this file. Records are kept as given: log fresh values. */
export class DeferredLogger implements Logger {
  private pino?: PinoLogger;

  constructor(
    private readonly sink: Sink,
    private readonly parent?: DeferredLogger,
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  child(bindings: Record<string, unknown>): DeferredLogger {
    return new DeferredLogger(this.sink, this, bindings);
  }

  /** Loads pino in the background; records go on being kept until it is there. */
  startWriting(): void {
    if (this.sink.threshold !== Infinity) void this.sink.load();
  }

  /** Resolves once every record made so far is on stderr (at once if nothing was logged). */
  async written(): Promise<void> {
    if (this.sink.root || this.sink.pending.length > 0) await this.sink.load();
  }

  /** pino's logger for this one (a child of its parent's, with the same bindings); only once loaded. */
  real(): PinoLogger {
    this.pino ??= this.parent ? this.parent.real().child(this.bindings) : this.sink.root!;
    return this.pino;
  }

  private write(method: Method, args: unknown[]): void {
    const { sink } = this;
    if (SEVERITY[method]! < sink.threshold) return;
    if (sink.root && sink.pending.length === 0) {
      this.real()[method](...(args as [object, string?]));
      return;
    }
    sink.pending.push({ time: Date.now(), logger: this, method, args });
    // An error is wanted now: it waits only for pino to load.
    if (SEVERITY[method]! >= SEVERITY.error!) void sink.load();
  }
}

/** The program's logger at `level` (one of pino's level names). */
export function createLogger(level = 'info'): DeferredLogger {
  return new DeferredLogger(new Sink(level));
}

/** A logger that writes nothing, for tests and embedded use: it never loads pino. */
export function silentLogger(): DeferredLogger {
  return createLogger('silent');
}
