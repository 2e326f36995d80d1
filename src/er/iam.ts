// Looks up the project id of a region through IAM, as the official SDKs do when none is
// configured: `GET /v3/projects?name={region}`, signed like ER calls but without X-Project-Id,
// and with the Content-Type the IAM reference marks mandatory even on this GET.
// Exactly one match is used; zero or several is an error. A project is never created (the Node
// SDK does that on zero matches; an MCP server must not change an account behind the user's back).
import type { HttpClient } from '../http/http-client.js';
import type { CallOptions } from './client.js';
import { ErApiError, isRetryableResponse } from './errors.js';
import { ID_PATTERN } from './ids.js';
import { OPERATIONS, pathOf } from './operations.js';

/** The Content-Type KeystoneListProjects requires (its reference's value, verbatim). */
export const IAM_CONTENT_TYPE = 'application/json;charset=utf8';

/** IAM answered, but not with exactly one usable project. */
export class ProjectLookupError extends Error {
  override name = 'ProjectLookupError';
}

interface ProjectEntry {
  id?: unknown;
  name?: unknown;
}

/** One IAM call: the id of the project named exactly `region`. */
export async function lookUpProjectId(iam: HttpClient, region: string, options: CallOptions = {}): Promise<string> {
  const result = await iam.request({
    method: OPERATIONS.keystoneListProjects.method,
    path: pathOf('keystoneListProjects', {}),
    query: { name: region },
    headers: { 'Content-Type': IAM_CONTENT_TYPE },
    signal: options.signal,
    deadline: options.deadline,
    retryOn: isRetryableResponse,
  });
  if (result.status < 200 || result.status >= 300) throw new ErApiError(result, 'keystoneListProjects');
  let body: { projects?: unknown };
  try {
    body = JSON.parse(result.body) as typeof body;
  } catch {
    throw new ProjectLookupError(`IAM at ${iam.endpoint} answered the project lookup with something that is not JSON (HTTP ${result.status}).`);
  }
  const projects = Array.isArray(body?.projects) ? (body.projects as ProjectEntry[]) : [];
  // Filter again: the query is a filter the server may ignore, and a wrong project is worse than none.
  const matches = projects.filter((p) => p && p.name === region && typeof p.id === 'string');
  const skip = 'set HUAWEICLOUD_SDK_PROJECT_ID to the project id to use';
  if (matches.length === 0) {
    throw new ProjectLookupError(`IAM at ${iam.endpoint} has no project named "${region}" for these credentials: check the region, or ${skip}.`);
  }
  if (matches.length > 1) {
    // Only plain ids are repeated: this text reaches logs and doctor, and the answer may be hostile.
    const ids = matches.map((p) => (ID_PATTERN.test(p.id as string) ? (p.id as string) : '(not a plain id)')).join(', ');
    throw new ProjectLookupError(`IAM at ${iam.endpoint} has ${matches.length} projects named "${region}" (${ids}): ${skip}.`);
  }
  const id = matches[0]!.id as string;
  if (!ID_PATTERN.test(id)) throw new ProjectLookupError(`IAM at ${iam.endpoint} returned a project id that is not a plain id: ${skip}.`);
  return id;
}

/**
 * The project id of one region, looked up at most once per process: the first successful answer
 * is kept, and concurrent callers share the request in flight. A failed lookup is not kept, so a
 * later call may try again.
 */
export class ProjectResolver {
  private pending?: Promise<string>;

  constructor(
    private readonly iam: HttpClient,
    readonly region: string,
  ) {}

  resolve(options: CallOptions = {}): Promise<string> {
    if (!this.pending) {
      this.pending = lookUpProjectId(this.iam, this.region, options);
      this.pending.catch(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }
}
