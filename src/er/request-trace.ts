// What one tool call's ER requests leave behind for its answer and audit record: the request ids
// the API gave, and who watches each request. Its own module, so that the tool host makes one per
// call without loading the ER client (which loads with the first call that needs the API).
import { type CallObserver, NO_CALL_OBSERVATION } from '../observe/observer.js';
import type { AttemptRecord } from './errors.js';

/** The request ids one tool call received, in order, and who watches its requests (logs, traces, metrics). */
export class RequestTrace {
  readonly requestIds: string[] = [];

  constructor(readonly observer: CallObserver = NO_CALL_OBSERVATION) {}

  add(records: readonly AttemptRecord[]): void {
    for (const record of records) if (record.request_id && !this.requestIds.includes(record.request_id)) this.requestIds.push(record.request_id);
  }
}
