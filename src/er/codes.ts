// The API error codes this project's code branches on, in one place (er-api.md §3 and §7).

export const ER_CODES = {
  /** 401: bad signature, wrong SK, or a clock more than 15 minutes off. */
  AUTH_FAILED: 'APIGW.0301',
  THROTTLED: 'APIGW.0308',
  /** 404 from the gateway: wrong host, path or method (wrong region or endpoint). */
  NO_SUCH_API: 'APIGW.0101',
  ROUTER_BUSY: 'ER.04001003',
  ASSOCIATION_EXISTS: 'ER.04002002',
  ASSOCIATION_BUSY: 'ER.04002003',
  PROPAGATION_EXISTS: 'ER.04003002',
  PROPAGATION_BUSY: 'ER.04003003',
  ATTACHMENT_BUSY: 'ER.04004003',
  ROUTE_TABLE_BUSY: 'ER.04005003',
  QUOTA_EXCEEDED: 'ER.04009008',
  RESOURCE_FROZEN: 'ER.04009011',
  ACCOUNT_RESTRICTED: 'ER.04009012',
  ROUTER_HAS_FROZEN_ATTACHMENTS: 'ER.04009013',
  ROUTER_NOT_FOUND: 'ER.04041001',
  ASSOCIATION_NOT_FOUND: 'ER.04042001',
  PROPAGATION_NOT_FOUND: 'ER.04043001',
  ATTACHMENT_NOT_FOUND: 'ER.04044001',
  ROUTE_TABLE_NOT_FOUND: 'ER.04045001',
  SERVICE_UNAVAILABLE: 'ER.05039006',
} as const;

/** "Busy right now": the same request may well succeed a moment later, and this one changed nothing. */
export const BUSY_CODES: ReadonlySet<string> = new Set([
  ER_CODES.ROUTER_BUSY,
  ER_CODES.ASSOCIATION_BUSY,
  ER_CODES.PROPAGATION_BUSY,
  ER_CODES.ATTACHMENT_BUSY,
  ER_CODES.ROUTE_TABLE_BUSY,
  ER_CODES.SERVICE_UNAVAILABLE,
]);
