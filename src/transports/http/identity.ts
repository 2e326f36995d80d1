// Who a verified bearer token belongs to, and how that reaches the MCP session: as the SDK's
// AuthInfo, which the SDK hands every request handler as `extra.authInfo`.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { SCOPES } from '../../scopes.js';
import { type AuthExtra } from '../../policy/caller-identity.js';
import { LOOPBACK_CALLER } from './caller-names.js';

export interface Identity {
  /**
   * What sessions, rate limits, plans, approvals, the audit and the logs call the caller: its
   * source and its name in that source (caller-names.ts), so a static token and a JWT subject of
   * the same name are two callers.
   */
  caller: string;
  /** The OAuth client the token was issued to (the static token's name for static tokens). */
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch, when the token says. */
  expiresAt?: number;
  // What a policy's rules match callers on (CallerIdentity in src/policy/model.ts); never a token or a secret.
  /** A static token's name. */
  tokenName?: string;
  /** A JWT's `sub`. */
  subject?: string;
  /** A JWT's values of the policy's groups claim (empty when no policy asks for one). */
  groups?: string[];
  /** The local user: a loopback server without authentication. */
  local?: boolean;
}

/** The identity of every caller when the server listens on loopback without authentication: the local user, as on stdio. */
export const LOOPBACK_IDENTITY: Identity = { caller: LOOPBACK_CALLER, clientId: LOOPBACK_CALLER, scopes: [SCOPES.read, SCOPES.write, SCOPES.approve], local: true };

export function toAuthInfo(identity: Identity, token: string): AuthInfo {
  return {
    token,
    clientId: identity.clientId,
    scopes: identity.scopes,
    ...(identity.expiresAt !== undefined ? { expiresAt: identity.expiresAt } : {}),
    extra: authExtra(identity),
  };
}

/** What the MCP session learns of the caller beyond its scopes: its name, and what a policy's rules match on. */
function authExtra(identity: Identity): AuthExtra {
  return {
    caller: identity.caller,
    ...(identity.tokenName !== undefined ? { tokenName: identity.tokenName } : {}),
    ...(identity.subject !== undefined ? { subject: identity.subject } : {}),
    ...(identity.groups !== undefined && identity.groups.length > 0 ? { groups: [...identity.groups] } : {}),
    ...(identity.local ? { local: true } : {}),
  };
}
