// Plugging a project id looked up through IAM into the connection, for `serve`.
//
// Why at start-up, in the background: starting the lookup early means the answer is normally in
// before the first tool call, and a failure shows in the start-up log at once. Not awaiting it
// means a slow, unreachable or refusing IAM never delays the MCP handshake or kills the server.
// A tool call that comes while the lookup runs waits for it (connection.ts); if it fails, tools
// answer with a CONFIGURATION error carrying the reason and naming HUAWEICLOUD_SDK_PROJECT_ID.
import type { Target } from './load-config.js';
import type { ConnectionState } from './connection.js';
import { ErClient } from './er/client.js';
import { ErApiError } from './er/errors.js';
import { ProjectLookupError, ProjectResolver } from './er/iam.js';
import { HttpClient, HttpFailure } from './http/http-client.js';
import type { Clock } from './http/clock.js';
import type { Logger } from './log.js';
import { describeError } from './toolkit/results.js';

/** A client for the IAM endpoint of `target`, with the same keys as ER calls. */
export function iamClientFor(target: Target): HttpClient {
  return new HttpClient({ endpoint: target.iamEndpoint, credentials: target.credentials });
}

/** One sentence for a failed lookup, naming what to set instead. Never contains a secret. */
export function describeLookupFailure(error: unknown, target: Target, nowMs: number): string {
  if (error instanceof ProjectLookupError) return error.message;
  const described = describeError(error, { ids: {}, nowMs });
  return (
    `Looking up the project id of ${target.region} through IAM (${target.iamEndpoint}) failed: ${described.error_code}: ${described.error_msg}. ` +
    `${described.hint} To skip the lookup, set HUAWEICLOUD_SDK_PROJECT_ID to the project id of the region.`
  );
}

/** First wait before looking up again after a transient failure; it doubles up to the cap. */
const RETRY_FIRST_MS = 30_000;
const RETRY_MAX_MS = 5 * 60_000;

/**
 * Starts the lookup and returns at once. The returned promise settles when the first attempt is over. A
 * transient failure (network, throttling, 5xx) is tried again in the background with a growing
 * wait, so a brief IAM outage at start-up does not need a restart; a definite answer (no such
 * project, several, bad keys) is not, since asking again would only repeat it — and repeated
 * authentication failures lock the access key.
 */
export interface ProjectLookup {
  connection: ConnectionState;
  target: Target;
  /** The ER HTTP client the ErClient will use once the project id is known. */
  er: HttpClient;
  clock: Clock;
  log: Logger;
  /** Time one IAM request (with its retries) may take. */
  deadlineMs: number;
  retryFirstMs?: number;
}

export function startProjectLookup(lookup: ProjectLookup): Promise<void> {
  const { connection, target, clock, log } = lookup;
  connection.setPending([
    `The project id of ${target.region} is still being looked up through IAM (${target.iamEndpoint}): call again in a few seconds, ` +
      'or set HUAWEICLOUD_SDK_PROJECT_ID to skip the lookup.',
  ]);
  const attempt = async (retryInMs: number): Promise<void> => {
    const iam = iamClientFor(target);
    try {
      const projectId = await new ProjectResolver(iam, target.region).resolve({ deadline: clock.now() + lookup.deadlineMs });
      connection.settle({ ready: true, er: new ErClient(lookup.er, projectId), projectId });
      log.info({ region: target.region, project_id: projectId, iam_endpoint: target.iamEndpoint }, 'project id looked up through IAM');
    } catch (error) {
      const transient = isTransient(error);
      const retry = transient ? ` Trying again in ${Math.round(retryInMs / 1000)} s.` : '';
      const problem = describeLookupFailure(error, target, clock.now()) + retry;
      connection.settle({ ready: false, problems: [problem] });
      log.error({ problem }, 'project id lookup failed: every tool will say what to set');
      if (transient) setTimeout(() => void attempt(Math.min(retryInMs * 2, RETRY_MAX_MS)), retryInMs).unref();
    } finally {
      await iam.close().catch(() => undefined);
    }
  };
  return attempt(lookup.retryFirstMs ?? RETRY_FIRST_MS);
}

function isTransient(error: unknown): boolean {
  if (error instanceof HttpFailure) return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'deadline';
  return error instanceof ErApiError && error.retryable;
}
