// X-Client-Token replay, as the ER API does it for its creates (associations, propagations,
// static routes): a create sent again with the same token answers with what the first one made,
// while that still exists; the same token on a different request is refused. Each kind of create
// keeps its own book and says which fields make two requests the same one.
import { ApiError } from './api-error.js';

/** What a create was asked for, in the fields that tell one request from another. */
export type TokenRequest = Readonly<Record<string, string | boolean>>;

export class ClientTokens {
  private readonly made = new Map<string, { id: string; request: TokenRequest }>();

  /**
   * What an earlier create with this token made, when it is among `live`; undefined when there was
   * none (or it is gone, and the token may make a new one). Throws when the token was used for
   * another request.
   */
  replay<T extends { id: string }>(clientToken: string | undefined, request: TokenRequest, live: readonly T[]): T | undefined {
    if (!clientToken) return undefined;
    const earlier = this.made.get(clientToken);
    const replayed = earlier && live.find((x) => x.id === earlier.id);
    if (!earlier || !replayed) return undefined;
    if (!sameRequest(earlier.request, request)) {
      throw new ApiError(400, 'ER.04009005', 'The X-Client-Token was already used for a different request.');
    }
    return replayed;
  }

  remember(clientToken: string | undefined, id: string, request: TokenRequest): void {
    if (clientToken) this.made.set(clientToken, { id, request });
  }
}

function sameRequest(a: TokenRequest, b: TokenRequest): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}
