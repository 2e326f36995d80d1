// X-Client-Token replay, as the ER API does it for associations and propagations alike: a create
// sent again with the same token answers with what the first one made, while that still exists;
// the same token on a different request is refused. Each kind of link keeps its own book.
import { ApiError } from './api-error.js';

/** What a create was asked to link. */
export interface LinkRequest {
  attachmentId: string;
  routeTableId: string;
}

export class ClientTokens {
  private readonly made = new Map<string, LinkRequest & { id: string }>();

  /**
   * What an earlier create with this token made, when it is among `live`; undefined when there was
   * none (or it is gone, and the token may make a new one). Throws when the token was used for
   * another request.
   */
  replay<T extends { id: string }>(clientToken: string | undefined, request: LinkRequest, live: readonly T[]): T | undefined {
    if (!clientToken) return undefined;
    const earlier = this.made.get(clientToken);
    const replayed = earlier && live.find((x) => x.id === earlier.id);
    if (!earlier || !replayed) return undefined;
    if (earlier.attachmentId !== request.attachmentId || earlier.routeTableId !== request.routeTableId) {
      throw new ApiError(400, 'ER.04009005', 'The X-Client-Token was already used for a different request.');
    }
    return replayed;
  }

  remember(clientToken: string | undefined, id: string, request: LinkRequest): void {
    if (clientToken) this.made.set(clientToken, { id, ...request });
  }
}
