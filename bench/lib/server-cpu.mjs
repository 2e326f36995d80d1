// Server CPU per contender when contenders take turns on servers that run in processes of their
// own. Before each run the server's CPU time (from /proc) is read, and what it used since the last
// read is put down to the contender that last ran on it: work a server finishes after its answer
// has been read (closing a response, a garbage collection) counts for that answer, not for the
// next run. /proc counts in 10 ms ticks; over many short runs the rounding evens out.
import { cpuMs } from './proc.mjs';

export class ServerCpu {
  constructor() {
    /** pid → { ms, name }: the last reading and who ran on that server since. */
    this.last = new Map();
    /** contender name → server CPU ms put down to it. */
    this.totals = {};
  }

  /** Call right before `name` runs on the server `pid` (outside the timed window). */
  async before(name, pid) {
    await this.settle(pid);
    this.last.get(pid).name = name;
  }

  /** Puts each server's CPU since its last reading down to the contender that ran last; returns the totals. */
  async finish() {
    for (const pid of this.last.keys()) await this.settle(pid);
    return this.totals;
  }

  async settle(pid) {
    const now = await cpuMs(pid);
    const previous = this.last.get(pid);
    if (previous?.name) this.totals[previous.name] = (this.totals[previous.name] ?? 0) + now - previous.ms;
    this.last.set(pid, { ms: now, name: previous?.name });
  }
}
