// GET /healthz: enough for a load balancer or an operator to see whether this instance can work,
// and nothing a stranger could use: no configuration values, no ids, no secrets.
import { VERSION } from '../../version.js';

export interface HealthFacts {
  sandbox: boolean;
  /** Credentials were found (or the sandbox provides them). */
  credentialsReady: boolean;
  /** The project id is known (configured, or the IAM look-up has finished). */
  projectReady: boolean;
}

export interface HealthReport {
  status: 'ok' | 'draining';
  version: string;
  uptime_seconds: number;
  sandbox: boolean;
  credentials_ready: boolean;
  project_ready: boolean;
}

export function healthReport(facts: HealthFacts, startedAt: number, now: number, draining: boolean): HealthReport {
  return {
    status: draining ? 'draining' : 'ok',
    version: VERSION,
    uptime_seconds: Math.max(0, Math.floor((now - startedAt) / 1000)),
    sandbox: facts.sandbox,
    credentials_ready: facts.credentialsReady,
    project_ready: facts.projectReady,
  };
}
