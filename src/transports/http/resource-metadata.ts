// RFC 9728 protected-resource metadata: tells an MCP client which authorization server issues
// tokens for this server and which scopes exist, so it can get a token on its own.
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { KNOWN_SCOPES } from '../../scopes.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Where the metadata of `resource` lives: the well-known path with the resource's path after it. */
export function resourceMetadataUrl(resource: URL): string {
  const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
  return `${resource.origin}${METADATA_PATH}${path}`;
}

/** The local paths the document is served at: RFC 9728's path-specific one and the bare one. */
export function metadataPaths(resource: URL): string[] {
  return [...new Set([new URL(resourceMetadataUrl(resource)).pathname, METADATA_PATH])];
}

export function resourceMetadata(resource: URL, issuer: string): OAuthProtectedResourceMetadata {
  return {
    resource: resource.href,
    authorization_servers: [issuer],
    scopes_supported: [...KNOWN_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Huawei Cloud Enterprise Router (huaweicloud-er-mcp)',
  };
}
