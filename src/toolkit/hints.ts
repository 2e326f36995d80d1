// One sentence per failure on what to do next: which ID is wrong, which tool lists the right
// ones, which variable to fix.
import { ER_CODES } from '../er/codes.js';
import type { ErApiError } from '../er/errors.js';
import { describeIamAction } from '../er/operations.js';
import type { ErrorContext } from './results.js';

const MAX_SKEW_MS = 15 * 60 * 1000;

export function hintFor(error: ErApiError, context: ErrorContext): string {
  const { ids } = context;
  switch (error.errorCode) {
    case ER_CODES.AUTH_FAILED:
      return authHint(error, context.nowMs);
    case ER_CODES.THROTTLED:
      return `The API throttled the request (tried ${error.attempts} time(s)). Wait a few seconds and call again; with the same client_token it is safe.`;
    case ER_CODES.NO_SUCH_API:
      return 'The gateway does not know this API: the endpoint or region is wrong. Check HUAWEICLOUD_REGION (and HUAWEICLOUD_ER_ENDPOINT if set).';
    case ER_CODES.ROUTER_NOT_FOUND:
      return `er_id "${ids.er_id}" does not exist in this project and region: call list_enterprise_routers to find the right one.`;
    case ER_CODES.ROUTE_TABLE_NOT_FOUND:
      return `route_table_id "${ids.route_table_id}" does not exist${ids.er_id ? ` on router ${ids.er_id}` : ''}: call list_route_tables with er_id to find the right one.`;
    case ER_CODES.ATTACHMENT_NOT_FOUND:
      return `attachment_id "${ids.attachment_id}" does not exist on router ${ids.er_id}: call list_attachments with er_id to find the right one.`;
    case ER_CODES.ASSOCIATION_NOT_FOUND:
      return `Attachment ${ids.attachment_id} has no association on route table ${ids.route_table_id}: call list_route_associations to see what is associated.`;
    case ER_CODES.PROPAGATION_NOT_FOUND:
      return `Attachment ${ids.attachment_id} does not propagate into route table ${ids.route_table_id}: call list_route_propagations to see what propagates there.`;
    case ER_CODES.STATIC_ROUTE_NOT_FOUND:
      return `Route table ${ids.route_table_id} has no such static route${ids.destination ? ` to ${ids.destination}` : ''}: call list_static_routes to see its static routes.`;
    case ER_CODES.STATIC_ROUTE_EXISTS:
      return `Route table ${ids.route_table_id} already has a static route${ids.destination ? ` to ${ids.destination}` : ''}, and it holds one per destination: call list_static_routes to see where it goes, and delete it first to replace it.`;
    case ER_CODES.STATIC_ROUTE_INVALID_DESTINATION:
    case ER_CODES.STATIC_ROUTE_RESERVED_DESTINATION:
      return 'The destination is not one a static route may have (a CIDR block outside 127.0.0.0/8, 169.254.0.0/16 and 224.0.0.0/4): fix it and call again.';
    case ER_CODES.PROPAGATION_BUSY:
      return `The propagation is busy (tried ${error.attempts} time(s)). Wait for the operation in progress to finish (get_propagation_state), then call again.`;
    case ER_CODES.QUOTA_EXCEEDED:
      return 'The quota is used up: remove an association or static route you no longer need, or ask for a higher ER quota in the console.';
    case ER_CODES.ASSOCIATION_BUSY:
    case ER_CODES.ROUTER_BUSY:
    case ER_CODES.ATTACHMENT_BUSY:
    case ER_CODES.ROUTE_TABLE_BUSY:
    case ER_CODES.SERVICE_UNAVAILABLE:
      return `The resource is busy (tried ${error.attempts} time(s)). Wait for the operation in progress to finish (get_association_state), then call again.`;
    case ER_CODES.RESOURCE_FROZEN:
    case ER_CODES.ACCOUNT_RESTRICTED:
    case ER_CODES.ROUTER_HAS_FROZEN_ATTACHMENTS:
      return 'The resource or account is frozen or restricted: this needs the account owner, not a retry.';
  }
  if (error.httpStatus === 429) return `The API throttled the request (tried ${error.attempts} time(s)). Wait a few seconds and call again.`;
  if (error.httpStatus === 403) {
    const needed = error.operation ? `; it needs ${describeIamAction(error.operation)}` : '';
    const policy = error.operation === 'keystoneListProjects' ? '' : ' (e.g. the ER FullAccess or ReadOnlyAccess policy)';
    return `The credentials have no permission for this call${needed}: grant it to the IAM user in this project${policy}.`;
  }
  if (error.httpStatus === 401) return authHint(error, context.nowMs);
  if (error.retryable) return `The service failed (tried ${error.attempts} time(s)). Call again; with the same client_token a create is never duplicated.`;
  return 'The API refused the request; error_msg says why. Fix the input and call again.';
}

function authHint(error: ErApiError, nowMs: number): string {
  const base = 'Authentication failed: check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys). Not retried: repeated failures lock the access key for 5 minutes.';
  const skewMs = measuredSkew(error, nowMs);
  if (skewMs === undefined || Math.abs(skewMs) <= MAX_SKEW_MS) return base;
  const minutes = Math.round(Math.abs(skewMs) / 60_000);
  return `This machine's clock is ${minutes} minutes ${skewMs > 0 ? 'ahead of' : 'behind'} the server's (signatures are valid for 15 minutes): fix the clock (NTP), then call again. ${base}`;
}

/** Measured when the response arrived if the HTTP layer said when; otherwise against `nowMs`. */
export function measuredSkew(error: ErApiError, nowMs: number): number | undefined {
  if (error.clockSkewMs !== undefined) return error.clockSkewMs;
  const serverMs = error.serverDate ? Date.parse(error.serverDate) : Number.NaN;
  return Number.isNaN(serverMs) ? undefined : nowMs - serverMs;
}
