// Plugging a project id looked up through IAM into the tool context, for `serve`.
//
// Why at start-up, in the background: starting the lookup early means the answer is normally in
// before the first tool call, and a failure shows in the start-up log at once. Not awaiting it
// means a slow, unreachable or refusing IAM never delays the MCP handshake or kills the server.
// Until the lookup finishes, tools answer with a CONFIGURATION error saying it is still running;
// if it fails, that error carries the reason and names HUAWEICLOUD_SDK_PROJECT_ID to skip it.
// Tools keep reading `ctx.er` / `ctx.problems` at call time, so they need no change for this.
import type { Target } from './config.js';
import { ErClient } from './er/client.js';
import { ErApiError } from './er/errors.js';
import { ProjectLookupError, ProjectResolver } from './er/iam.js';
import { HttpClient, HttpFailure } from './http/client.js';
import type { Logger } from './log.js';
import type { ToolContext } from './tools/context.js';
import { describeError } from './tools/results.js';

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
 * Starts the lookup and returns at once. `er` is the ER HTTP client the ErClient will use once
 * the project id is known. The returned promise settles when the first attempt is over. A
 * transient failure (network, throttling, 5xx) is tried again in the background with a growing
 * wait, so a brief IAM outage at start-up does not need a restart; a definite answer (no such
 * project, several, bad keys) is not, since asking again would only repeat it — and repeated
 * authentication failures lock the access key.
 */
export function startProjectLookup(ctx: ToolContext, target: Target, er: HttpClient, log: Logger, retryFirstMs = RETRY_FIRST_MS): Promise<void> {
  ctx.problems = [
    `The project id of ${target.region} is still being looked up through IAM (${target.iamEndpoint}): call again in a few seconds, ` +
      'or set HUAWEICLOUD_SDK_PROJECT_ID to skip the lookup.',
  ];
  const attempt = async (retryInMs: number): Promise<void> => {
    const iam = iamClientFor(target);
    try {
      const projectId = await new ProjectResolver(iam, target.region).resolve({ deadline: ctx.clock.now() + ctx.callDeadlineMs });
      ctx.er = new ErClient(er, projectId);
      ctx.projectId = projectId;
      ctx.problems = [];
      log.info({ region: target.region, project_id: projectId, iam_endpoint: target.iamEndpoint }, 'project id looked up through IAM');
    } catch (error) {
      const transient = isTransient(error);
      const retry = transient ? ` Trying again in ${Math.round(retryInMs / 1000)} s.` : '';
      ctx.problems = [describeLookupFailure(error, target, ctx.clock.now()) + retry];
      log.error({ problem: ctx.problems[0] }, 'project id lookup failed: every tool will say what to set');
      if (transient) setTimeout(() => void attempt(Math.min(retryInMs * 2, RETRY_MAX_MS)), retryInMs).unref();
    } finally {
      await iam.close().catch(() => undefined);
    }
  };
  return attempt(retryFirstMs);
}

function isTransient(error: unknown): boolean {
  if (error instanceof HttpFailure) return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'deadline';
  return error instanceof ErApiError && error.retryable;
}
