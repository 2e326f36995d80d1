// The caller as a policy sees it (CallerIdentity), from what the transport attached to the call.
// Over HTTP that is the verified token's AuthInfo: `extra` carries the caller's name and what the
// rules match on (transports/http/identity.ts writes it); on stdio there is no AuthInfo, and the
// caller is the local user.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { CallerIdentity } from './model.js';

/** AuthInfo.extra as the HTTP transport fills it. Nothing in it is a token or a secret. */
export interface AuthExtra {
  [key: string]: unknown;
  caller: string;
  /** A static token's name. */
  tokenName?: string;
  /** A JWT's `sub`. */
  subject?: string;
  /** A JWT's values of the policy's groups claim. */
  groups?: string[];
  /** Everyone on a loopback server without authentication: the local user, as on stdio. */
  local?: true;
}

/** Who is calling: from the AuthInfo of an HTTP call, or the local user `fallback` names when there is none (stdio). */
export function callerIdentityOf(auth: AuthInfo | undefined, fallback: string): CallerIdentity {
  if (!auth) return { caller: fallback, groups: [], local: true };
  const extra = auth.extra ?? {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const tokenName = text(extra.tokenName);
  const subject = text(extra.subject);
  const groups = Array.isArray(extra.groups) ? extra.groups.filter((g): g is string => typeof g === 'string') : [];
  return {
    caller: text(extra.caller) ?? auth.clientId,
    ...(tokenName !== undefined ? { tokenName } : {}),
    ...(subject !== undefined ? { subject } : {}),
    groups,
    local: extra.local === true,
  };
}
