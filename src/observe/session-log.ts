// Log notifications (notifications/message) for one tool call, sent on the MCP session it came in
// on, at or above the level the client chose with logging/setLevel.
//
// The level is kept per MCP server, and this process makes one server per session (stdio: one;
// HTTP: one per Mcp-Session-Id), so it is the session's level. Until the client sets one, only
// warnings and worse are sent (retries, throttling, refusals): a client that never asked is not
// flooded with waits and polls, yet still hears when the API pushes back.
//
// Each message goes through the call's own `sendNotification`, which ties it to the call
// (relatedRequestId): over Streamable HTTP it travels on that call's response stream, not on the
// session's standalone stream, which a client may never open.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { type LoggingLevel, type ServerNotification, type ServerRequest, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { LogLevel, SessionLog } from './observer.js';

/** The level of a session whose client never sent logging/setLevel. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'warning';

/** The `logger` of every notification this server sends. */
export const LOGGER = 'huaweicloud-er-mcp';

/** RFC 5424 order, least severe first, as MCP lists its levels. */
const SEVERITY: Readonly<Record<LoggingLevel, number>> = { debug: 0, info: 1, notice: 2, warning: 3, error: 4, critical: 5, alert: 6, emergency: 7 };

const levels = new WeakMap<Server, LogLevel>();

/**
 * Answers logging/setLevel for this server's session. The SDK keeps its own store for
 * `sendLoggingMessage`, but that sends outside any call (no relatedRequestId) and is private:
 * this handler, registered through the public API, replaces it.
 */
export function acceptLogLevels(server: Server): void {
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    levels.set(server, request.params.level);
    return {};
  });
}

/** The level the session's client set, or the default. */
export function sessionLevel(server: Server): LogLevel {
  return levels.get(server) ?? DEFAULT_LOG_LEVEL;
}

export function sessionLog(server: Server, extra: RequestHandlerExtra<ServerRequest, ServerNotification>): SessionLog {
  return {
    send(level, data) {
      // Read at each message: a client may change its level while a long wait runs.
      if (SEVERITY[level] < SEVERITY[sessionLevel(server)]) return;
      try {
        // A client that went away (or a cancelled call) must never fail the call being reported.
        void extra.sendNotification({ method: 'notifications/message', params: { level, logger: LOGGER, data } }).catch(() => undefined);
      } catch {
        // Not connected any more: nobody to tell.
      }
    },
  };
}
