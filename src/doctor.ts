// `huaweicloud-er-mcp doctor`: for the person setting the server up. Prints which credentials,
// region, endpoint and project id are in use (the AK masked, the SK never), makes one read-only
// signed call (list routers, limit 1) and reports success or the exact failure with its hint.
// Exit code 0 only when that call works. `--sandbox` runs the same check against an in-process
// emulator, project lookup through its IAM endpoint included.
import type { Config, Target } from './load-config.js';
import { type Emulator, SANDBOX_CREDENTIALS, startEmulator } from './emulator/emulator.js';
import { ErClient } from './er/client.js';
import { ErApiError } from './er/errors.js';
import { ProjectResolver } from './er/iam.js';
import { HttpClient } from './http/http-client.js';
import { type Clock, systemClock } from './http/clock.js';
import { describeLookupFailure, iamClientFor } from './project.js';
import { measuredSkew } from './toolkit/hints.js';
import { describeError } from './toolkit/results.js';

export type Write = (text: string) => void;

/** Runs the check and returns the process exit code. */
export async function runDoctor(config: Config, write: Write, clock: Clock = systemClock): Promise<number> {
  const line = (label: string, text: string) => write(`  ${`${label}:`.padEnd(13)}${text}\n`);
  write('huaweicloud-er-mcp doctor\n');
  for (const warning of config.warnings) line('warning', warning);

  let emulator: Emulator | undefined;
  let target = config.target;
  if (config.sandbox) {
    emulator = await startEmulator({ credentials: [SANDBOX_CREDENTIALS] });
    target = sandboxTarget(emulator);
    line('mode', 'SANDBOX: the built-in ER emulator on loopback, not Huawei Cloud');
  }
  try {
    if (!target) {
      for (const problem of config.problems) line('problem', problem);
      write('FAILED: the configuration is incomplete, so nothing was called.\n');
      return 1;
    }
    return await check(target, line, write, clock, config.callDeadlineMs);
  } finally {
    await emulator?.close();
  }
}

async function check(target: Target, line: (label: string, text: string) => void, write: Write, clock: Clock, deadlineMs: number): Promise<number> {
  const { credentials } = target;
  line('credentials', `${target.sources.credentials} (AK ${maskKey(credentials.ak)}${credentials.securityToken ? ', temporary, with security token' : ''})`);
  line('region', `${target.region} (from ${target.sources.region})`);
  line('endpoint', `${target.endpoint} (from ${target.sources.endpoint})`);

  const deadline = clock.now() + deadlineMs;
  let projectId = target.projectId;
  if (projectId) {
    line('project id', `${projectId} (from ${target.sources.projectId})`);
  } else {
    const iam = iamClientFor(target);
    try {
      projectId = await new ProjectResolver(iam, target.region).resolve({ deadline });
      line('project id', `${projectId} (looked up through IAM at ${target.iamEndpoint})`);
    } catch (error) {
      line('project id', 'FAILED');
      reportClock(error, line, clock);
      line('error', describeLookupFailure(error, target, clock.now()));
      write('FAILED: no project id, so Enterprise Router was not called.\n');
      return 1;
    } finally {
      await iam.close();
    }
  }

  const http = new HttpClient({ endpoint: target.endpoint, credentials });
  const started = clock.now();
  try {
    const page = await new ErClient(http, projectId).listRouters({ limit: 1, deadline });
    line('check', `GET list routers (limit 1): OK in ${Math.round(clock.now() - started)} ms, ${page.items.length} router(s) on the first page`);
    write('OK: the server can call Enterprise Router with these settings.\n');
    return 0;
  } catch (error) {
    const described = describeError(error, { ids: {}, nowMs: clock.now() });
    line('check', `GET list routers (limit 1): FAILED with ${described.error_code}${described.http_status ? ` (HTTP ${described.http_status})` : ''}`);
    line('message', described.error_msg);
    if (described.request_id) line('request id', described.request_id);
    reportClock(error, line, clock);
    line('hint', described.hint);
    for (const note of notesFor(error, target)) line('note', note);
    write('FAILED: fix the above and run doctor again.\n');
    return 1;
  } finally {
    await http.close();
  }
}

/** What the generic hint cannot know: where the keys and the project id came from. */
function notesFor(error: unknown, target: Target): string[] {
  if (!(error instanceof ErApiError)) return [];
  const notes: string[] = [];
  if (error.httpStatus === 401) notes.push(`The keys in use came from ${target.sources.credentials}.`);
  if (error.httpStatus === 403 && target.projectId) {
    notes.push(
      `A project id of another region gives this error too: ${target.projectId} (from ${target.sources.projectId}) must be the project of ${target.region}. ` +
        'Unset it to have it looked up through IAM.',
    );
  }
  return notes;
}

/** Clock skew measured from the response's Date header, when an error response carried one. */
function reportClock(error: unknown, line: (label: string, text: string) => void, clock: Clock): void {
  const skewMs = error instanceof ErApiError ? measuredSkew(error, clock.now()) : undefined;
  if (skewMs === undefined) return;
  const skewSeconds = Math.round(skewMs / 1000);
  // Date has whole seconds and the answer takes a moment: two seconds either way is "in step".
  const where = Math.abs(skewSeconds) <= 2 ? 'in step with' : `${Math.abs(skewSeconds)} s ${skewSeconds > 0 ? 'ahead of' : 'behind'}`;
  line('clock', `this machine is ${where} the server (from the response Date header; signatures allow 15 minutes)`);
}

/** "CANA…2M4P": enough to tell keys apart, too little to use. Short keys are hidden entirely. */
export function maskKey(ak: string): string {
  return ak.length >= 12 ? `${ak.slice(0, 4)}…${ak.slice(-4)}` : '…';
}

function sandboxTarget(emulator: Emulator): Target {
  const { region } = emulator.store.topology;
  return {
    region,
    endpoint: emulator.url,
    credentials: SANDBOX_CREDENTIALS,
    iamEndpoint: emulator.url,
    sources: {
      credentials: 'the sandbox keys of the built-in emulator',
      region: 'the built-in emulator',
      endpoint: 'the built-in emulator',
      projectId: 'IAM of the built-in emulator',
    },
  };
}
