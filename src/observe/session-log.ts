// Log notifications (notifications/message) for one tool call, sent on the MCP session it came in on.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { SessionLog } from './observer.js';

/** Not yet wired: sends nothing (issue 23 fills this in, honouring the client's logging/setLevel). */
export function sessionLog(_server: Server, _extra: RequestHandlerExtra<ServerRequest, ServerNotification>): SessionLog {
  return { send: () => undefined };
}
