// The answer a drawn fault gives instead of the operation's own (faults.ts draws them): what a
// gateway or a busy router would say to this operation.
import type { ErOperation } from '../er/operations.js';
import type { Fault } from './faults.js';
import { apiError, type Reply } from './http-io.js';
import { ROUTE_BUSY_CODE } from './static-routes.js';

const PROPAGATION_OPERATIONS = new Set<ErOperation>(['enablePropagation', 'disablePropagation', 'listPropagations']);
const STATIC_ROUTE_OPERATIONS = new Set<ErOperation>(['listStaticRoutes', 'showStaticRoute', 'createStaticRoute', 'updateStaticRoute', 'deleteStaticRoute']);

/** The reply of an answering fault; undefined for none and for the connection resets (no answer). */
export function faultReply(fault: Fault, operation: ErOperation): Reply | undefined {
  switch (fault.kind) {
    case 'throttle':
      return { ...apiError(429, 'APIGW.0308', 'The throttling threshold has been reached.'), headers: { 'retry-after': String(fault.retryAfterSeconds) } };
    case 'server-error':
      return { status: fault.status, body: fault.body, headers: fault.contentType ? { 'content-type': fault.contentType } : {} };
    case 'busy': {
      // Propagations and static routes are busy with their own code where an association would
      // answer ER.04002003 (a static route's is the route table's, see ROUTE_BUSY_CODE).
      const own = PROPAGATION_OPERATIONS.has(operation) ? 'ER.04003003' : STATIC_ROUTE_OPERATIONS.has(operation) ? ROUTE_BUSY_CODE : undefined;
      const code = fault.code === 'ER.04002003' && own ? own : fault.code;
      return apiError(fault.status, code, 'The resource is being operated. Try again later.');
    }
    default:
      return undefined;
  }
}
