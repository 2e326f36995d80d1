// Every setting of the program, stated once: its flag, its environment twin, the commands it
// applies to, the values it takes, its default and what it means. load-config.ts parses flags by this
// table and reads each variable through it, `--help` and the README's tables are generated from
// it (settings-text.ts, scripts/docs-settings.mjs), and test/settings-table.test.ts fails when
// they drift. Adding a setting is adding a row here, plus the code that uses its value.
//
// Data: it imports two constants and nothing else, so any layer may read it without a cycle.
import { SCOPES } from './scopes.js';
import { DEFAULT_MAX_WAIT_MS } from './toolkit/context.js';

/** Where a setting applies. `serve` covers both transports; `serve --http` the HTTP one only. */
export type CommandName = 'serve' | 'serve --http' | 'doctor' | 'emulator';

/** What a setting accepts. Flags are parsed by kind: only `switch` and `boolean` flags may stand alone. */
export type SettingValue =
  /** A flag given alone; it takes no value. */
  | { kind: 'switch' }
  /** true/false (also 1/0, yes/no, on/off); the flag alone means true, `--flag=false` undoes the variable. */
  | { kind: 'boolean' }
  | { kind: 'choice'; choices: readonly string[] }
  /** `whole`: digits only. Bounds are inclusive, except `above` (strictly greater). */
  | { kind: 'number'; placeholder: string; whole: boolean; min?: number; above?: number; max?: number; unit?: string }
  | { kind: 'text'; placeholder: string; allowed?: string };

export interface Setting {
  /** Without the leading dashes; absent: a variable only. */
  flag?: string;
  /** The environment variable; absent: a flag only. */
  env?: string;
  group: GroupId;
  commands: readonly CommandName[];
  value: SettingValue;
  /** The default the code uses; absent when there is none (or it is computed: see `defaultText`). */
  default?: string | number | boolean;
  /** The default as documented, where the value alone would not say it (computed, or from another setting). */
  defaultText?: string;
  /** One sentence (Markdown backticks and links allowed), shown by --help and in the README. */
  meaning: string;
  /** What the README adds to the meaning (Markdown); --help leaves it out. */
  details?: string;
  /** A secret: its value is never logged, shown or echoed. */
  secret?: true;
}

export type GroupId = 'credentials' | 'target' | 'guardrails' | 'policy' | 'http' | 'limits' | 'logging' | 'sandbox' | 'general';

/** Groups in the order --help shows them; each has a README region `<!-- settings:ID:start -->`. */
export const GROUPS: ReadonlyArray<{ id: GroupId; title: string }> = [
  { id: 'credentials', title: 'Credentials (the first source present wins)' },
  { id: 'target', title: 'Region, endpoint, project' },
  { id: 'guardrails', title: 'Guardrails and change control' },
  { id: 'policy', title: 'Policy and audit' },
  { id: 'http', title: 'HTTP serving' },
  { id: 'limits', title: 'Limits' },
  { id: 'logging', title: 'Logging and telemetry' },
  { id: 'sandbox', title: 'Sandbox and emulator' },
  { id: 'general', title: 'General' },
];

const SERVE_AND_DOCTOR: readonly CommandName[] = ['serve', 'doctor'];
const SERVE: readonly CommandName[] = ['serve'];
const HTTP: readonly CommandName[] = ['serve --http'];
const EVERY: readonly CommandName[] = ['serve', 'doctor', 'emulator'];

// Typed by what they are given, so that code reads a row's bounds without narrowing its kind.
function seconds<const B extends { min?: number; above?: number; max?: number; whole: boolean }>(bounds: B) {
  return { kind: 'number' as const, placeholder: 'N', unit: 'seconds', ...bounds };
}
function wholeNumber<const B extends { min: number; max?: number }>(bounds: B) {
  return { kind: 'number' as const, placeholder: 'N', whole: true, ...bounds };
}
function text(placeholder: string, allowed?: string): SettingValue {
  return { kind: 'text', placeholder, ...(allowed ? { allowed } : {}) };
}

export const SETTINGS = {
  // Credentials: load-config.ts hands the environment to credentials.ts, which reads these in this order.
  sdkAk: { env: 'HUAWEICLOUD_SDK_AK', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('KEY'), meaning: 'Access key of the official SDKs\' environment (source 1), with `HUAWEICLOUD_SDK_SK`.' },
  sdkSk: { env: 'HUAWEICLOUD_SDK_SK', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('SECRET'), secret: true, meaning: 'Its secret key.' },
  sdkSecurityToken: {
    env: 'HUAWEICLOUD_SDK_SECURITY_TOKEN', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('TOKEN'), secret: true,
    meaning: 'Security token of temporary (STS) keys, sent and signed as `X-Security-Token`.',
  },
  credentialsFile: {
    env: 'HUAWEICLOUD_SDK_CREDENTIALS_FILE', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('PATH'), defaultText: '`~/.huaweicloud/credentials`',
    meaning: 'The SDK credentials file (source 2): INI section `[basic]` with `ak`, `sk`, `security_token`, `project_id`, `iam_endpoint`.',
    details: 'A path named here that does not exist is a problem; the default path is simply not used then.',
  },
  profile: {
    env: 'HUAWEICLOUD_PROFILE', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('NAME'), defaultText: "the file's `current`",
    meaning: 'The KooCLI (`hcloud`) profile in `~/.hcloud/config.json` to use (source 3).',
    details: 'Only `AKSK` mode with a plain-text secret is accepted; anything else is refused with the profile\'s name and the reason.',
  },
  hwAccessKey: { env: 'HW_ACCESS_KEY', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('KEY'), meaning: "Terraform's access key (source 4), with `HW_SECRET_KEY`." },
  hwSecretKey: { env: 'HW_SECRET_KEY', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('SECRET'), secret: true, meaning: "Terraform's secret key." },
  hwSecurityToken: { env: 'HW_SECURITY_TOKEN', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('TOKEN'), secret: true, meaning: "Terraform's security token of temporary keys." },
  home: {
    env: 'HOME', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('DIR'),
    meaning: 'Where `~/.huaweicloud/credentials`, `~/.hcloud/config.json` and the default audit log (`~/.local/state/…`) are looked for.',
  },
  userProfile: { env: 'USERPROFILE', group: 'credentials', commands: SERVE_AND_DOCTOR, value: text('DIR'), meaning: 'The home directory where `HOME` is not set (Windows).' },

  region: {
    env: 'HUAWEICLOUD_REGION', group: 'target', commands: SERVE_AND_DOCTOR, value: text('REGION'), defaultText: "the KooCLI profile's `region`, else `HW_REGION_NAME`",
    meaning: 'Region id, e.g. `cn-north-4`: the endpoint becomes `https://er.{region}.myhuaweicloud.com` (`…myhuaweicloud.eu` for the `eu-west-1xx` regions).',
    details: 'A region not in the known ER list needs `HUAWEICLOUD_ER_ENDPOINT`.',
  },
  hwRegion: { env: 'HW_REGION_NAME', group: 'target', commands: SERVE_AND_DOCTOR, value: text('REGION'), meaning: "Terraform's region, used when neither `HUAWEICLOUD_REGION` nor a KooCLI profile names one." },
  endpoint: {
    env: 'HUAWEICLOUD_ER_ENDPOINT', group: 'target', commands: SERVE_AND_DOCTOR, value: text('URL'), defaultText: "the region's endpoint",
    meaning: 'Full ER endpoint override (private endpoints, the emulator): scheme, host and port only; plain `http://` only for loopback hosts.',
  },
  projectId: {
    env: 'HUAWEICLOUD_SDK_PROJECT_ID', group: 'target', commands: SERVE_AND_DOCTOR, value: text('ID'), defaultText: 'the one stored with the keys, else `HW_PROJECT_ID`, else looked up',
    meaning: 'Project id of the region; when none is set it is looked up once through IAM.',
    details:
      'The look-up is `GET /v3/projects?name={region}`, exactly one match required (a project is never created), in the background from start-up: ' +
      'a tool call that arrives before the answer waits for it (within its call deadline).',
  },
  hwProjectId: {
    env: 'HW_PROJECT_ID', group: 'target', commands: SERVE_AND_DOCTOR, value: text('ID'),
    meaning: "Terraform's project id, used only with the region in `HW_REGION_NAME` (project ids are per region).",
  },
  iamEndpoint: {
    env: 'HUAWEICLOUD_SDK_IAM_ENDPOINT', group: 'target', commands: SERVE_AND_DOCTOR, value: text('URL'),
    defaultText: "the credentials file's `iam_endpoint`, else `https://iam.myhuaweicloud.com` (`.eu` for `eu-west-1xx`)",
    meaning: 'IAM endpoint for the project look-up.',
  },

  readOnly: {
    flag: 'read-only', env: 'HUAWEICLOUD_ER_MCP_READ_ONLY', group: 'guardrails', commands: SERVE_AND_DOCTOR, value: { kind: 'boolean' }, default: false,
    meaning: 'Write tools are not listed, and refused by name.',
  },
  allowErIds: {
    flag: 'allow-er-ids', env: 'HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS', group: 'guardrails', commands: SERVE_AND_DOCTOR, value: text('ID,ID', 'router IDs, comma-separated'), defaultText: 'any router',
    meaning: 'Writes only on these routers; an empty or malformed list stops the server at start-up.',
  },
  allowRouteTableIds: {
    flag: 'allow-route-table-ids', env: 'HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS', group: 'guardrails', commands: SERVE_AND_DOCTOR, value: text('ID,ID', 'route table IDs, comma-separated'), defaultText: 'any route table',
    meaning: 'Writes only on these route tables; an empty or malformed list stops the server at start-up.',
  },
  confirmWrites: {
    flag: 'confirm-writes', env: 'HUAWEICLOUD_ER_MCP_CONFIRM_WRITES', group: 'guardrails', commands: SERVE_AND_DOCTOR, value: { kind: 'choice', choices: ['auto', 'always', 'never'] }, default: 'auto',
    meaning: '`auto` and `always`: a person approves every write, through whatever the client has; `never`: nobody is asked, the operator\'s explicit opt-out.',
    details: 'See [Change control](#change-control-plans-approval-verification); nothing is written unapproved. With `never` a warning says so at every start.',
  },
  confirmTimeoutSeconds: {
    flag: 'confirm-timeout-seconds', env: 'HUAWEICLOUD_ER_MCP_CONFIRM_TIMEOUT_SECONDS', group: 'guardrails', commands: SERVE_AND_DOCTOR,
    value: seconds({ above: 0, max: 3600, whole: false }), default: 120,
    meaning: "How long to wait for the answer to the client's approval form; the write's API deadline starts after it.",
  },
  planTtlSeconds: {
    flag: 'plan-ttl-seconds', env: 'HUAWEICLOUD_ER_MCP_PLAN_TTL_SECONDS', group: 'guardrails', commands: SERVE_AND_DOCTOR,
    value: seconds({ min: 60, max: 86_400, whole: true }), default: 15 * 60,
    meaning: 'How long a plan can be approved and used.',
  },
  requireSecondPerson: {
    flag: 'require-second-person', env: 'HUAWEICLOUD_ER_MCP_REQUIRE_SECOND_PERSON', group: 'guardrails', commands: HTTP, value: { kind: 'boolean' }, default: false,
    meaning: 'The approver must be another caller than the one who asked, holding `er:approve`.',
    details: 'Refused at start on stdio, where the only person is the local user, and with `--confirm-writes never`.',
  },

  policy: {
    flag: 'policy', env: 'HUAWEICLOUD_ER_MCP_POLICY', group: 'policy', commands: SERVE, value: text('FILE'), defaultText: 'none: the guardrails alone',
    meaning: 'Who may change what, and what no change may ever break (YAML or JSON, see [Policy](#policy)); SIGHUP reloads it.',
    details: 'A file that does not load stops the server with exit code 2.',
  },
  auditLog: {
    flag: 'audit-log', env: 'HUAWEICLOUD_ER_MCP_AUDIT_LOG', group: 'policy', commands: SERVE_AND_DOCTOR, value: text('PATH|off|-', 'a file path, `off`, or `-` (stdout)'),
    defaultText: '`$XDG_STATE_HOME/huaweicloud-er-mcp/audit.jsonl` (else `~/.local/state/…`)',
    meaning: 'The audit trail (JSON lines); `-` writes it to stdout, with `serve --http` only (on stdio, stdout carries MCP).',
  },
  xdgStateHome: {
    env: 'XDG_STATE_HOME', group: 'policy', commands: SERVE_AND_DOCTOR, value: text('DIR'), defaultText: '`~/.local/state`',
    meaning: 'Where the default audit log goes, in `huaweicloud-er-mcp/audit.jsonl`.',
  },

  http: { flag: 'http', group: 'http', commands: SERVE, value: { kind: 'switch' }, defaultText: 'off (stdio)', meaning: 'Serve MCP over Streamable HTTP at `/mcp` instead of stdio.' },
  host: {
    flag: 'host', env: 'HUAWEICLOUD_ER_MCP_HTTP_HOST', group: 'http', commands: HTTP, value: text('ADDR'), default: '127.0.0.1',
    meaning: 'The address to listen on; beyond loopback only with authentication (`--http-tokens` or `--oauth-issuer`).',
  },
  httpPort: {
    flag: 'port', env: 'HUAWEICLOUD_ER_MCP_HTTP_PORT', group: 'http', commands: HTTP, value: wholeNumber({ min: 0, max: 65_535 }), default: 8080,
    meaning: 'The port to listen on (`--port 0`: any free port).',
  },
  httpTokens: {
    flag: 'http-tokens', env: 'HUAWEICLOUD_ER_MCP_HTTP_TOKENS', group: 'http', commands: HTTP, value: text('FILE'),
    meaning: 'Static tokens: lines `name sha256-hex-of-token scope[,scope]` (`er:read`, `er:write`, `er:approve`, `metrics`), `#` comments, mode 0600.',
  },
  oauthIssuer: {
    flag: 'oauth-issuer', env: 'HUAWEICLOUD_ER_MCP_OAUTH_ISSUER', group: 'http', commands: HTTP, value: text('URL'),
    meaning: 'Accept JWT access tokens from this authorization server (with `--oauth-audience`).',
  },
  oauthAudience: {
    flag: 'oauth-audience', env: 'HUAWEICLOUD_ER_MCP_OAUTH_AUDIENCE', group: 'http', commands: HTTP, value: text('AUD'),
    meaning: 'The audience the authorization server puts in tokens for this server.',
  },
  oauthJwksUrl: {
    flag: 'oauth-jwks-url', env: 'HUAWEICLOUD_ER_MCP_OAUTH_JWKS_URL', group: 'http', commands: HTTP, value: text('URL'), defaultText: "from the issuer's metadata",
    meaning: 'Where the signing keys are.',
  },
  oauthClientId: {
    flag: 'oauth-client-id', env: 'HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_ID', group: 'http', commands: HTTP, value: text('ID'),
    meaning: 'People sign in to the approval page at the issuer, as this client (OIDC code flow with PKCE).',
  },
  oauthClientSecretFile: {
    flag: 'oauth-client-secret-file', env: 'HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET_FILE', group: 'http', commands: HTTP, value: text('FILE'), defaultText: 'none: a public client',
    meaning: "A file holding that client's secret (no flag takes the secret itself: a command line is visible to every local user).",
  },
  oauthClientSecret: {
    env: 'HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET', group: 'http', commands: HTTP, value: text('SECRET'), secret: true, defaultText: 'none: a public client',
    meaning: "That client's secret itself, instead of the file.",
  },
  oauthLoginScopes: {
    flag: 'oauth-login-scopes', env: 'HUAWEICLOUD_ER_MCP_OAUTH_LOGIN_SCOPES', group: 'http', commands: HTTP, value: text('"S S"', 'scopes, space- or comma-separated'),
    default: `openid ${SCOPES.read} ${SCOPES.approve}`, meaning: 'The scopes the sign-in asks for.',
  },
  httpPublicUrl: {
    flag: 'http-public-url', env: 'HUAWEICLOUD_ER_MCP_HTTP_PUBLIC_URL', group: 'http', commands: HTTP, value: text('URL'), defaultText: '`http://HOST:PORT/mcp`',
    meaning: 'The `/mcp` endpoint as clients reach it (behind a proxy); its host is an allowed host.',
  },
  httpAllowedHosts: {
    flag: 'http-allowed-hosts', env: 'HUAWEICLOUD_ER_MCP_HTTP_ALLOWED_HOSTS', group: 'http', commands: HTTP, value: text('H,H', 'host names, comma-separated'),
    defaultText: "loopback names, the bound address, the public URL's host", meaning: '`Host` headers accepted, port ignored (DNS-rebinding protection).',
  },
  httpAllowedOrigins: {
    flag: 'http-allowed-origins', env: 'HUAWEICLOUD_ER_MCP_HTTP_ALLOWED_ORIGINS', group: 'http', commands: HTTP, value: text('O,O', 'origins (`scheme://host[:port]`), comma-separated'), defaultText: 'origins on an allowed host',
    meaning: '`Origin` headers accepted (browsers); requests without `Origin` pass.',
  },

  callTimeoutSeconds: {
    env: 'HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS', group: 'limits', commands: SERVE_AND_DOCTOR, value: seconds({ above: 0, whole: false }), default: 30,
    meaning: 'How long the API requests of one tool call may take, their retries and backoff included; a wait for a state is not counted here.',
    details: 'A create and the look-up that confirms it share it; each poll of a wait gets it.',
  },
  maxWaitSeconds: {
    env: 'HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS', group: 'limits', commands: SERVE, value: seconds({ above: 0, max: 900, whole: false }), default: DEFAULT_MAX_WAIT_MS / 1000,
    meaning: 'The longest one `get_association_state` (or `get_propagation_state`, `get_static_route_state`) call waits for a state, whatever `timeout_seconds` asks; keep it under your MCP client\'s request timeout (often 60 s).',
    details:
      'Most MCP clients give up on a request after 60 s even while progress arrives, so the default ends every wait before that, with `timed_out: true` and a hint to call again. ' +
      'Raise it only if your client waits longer.',
  },
  shutdownSeconds: {
    env: 'HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS', group: 'limits', commands: SERVE, value: seconds({ min: 1, max: 600, whole: true }), default: 10,
    meaning: 'On SIGTERM or SIGINT, how long calls in flight may finish before the server stops them.',
    details: 'A write still running then is answered `SERVER_STOPPED` and audited `may_have_been_applied` with a `note` (see [Stopping](#the-audit-trail)).',
  },
  httpRateLimit: {
    flag: 'http-rate-limit', env: 'HUAWEICLOUD_ER_MCP_HTTP_RATE_LIMIT', group: 'limits', commands: HTTP, value: wholeNumber({ min: 1 }), default: 600,
    meaning: 'Requests per minute per caller (a minute\'s worth may come at once).',
  },
  httpMaxSessions: {
    flag: 'http-max-sessions', env: 'HUAWEICLOUD_ER_MCP_HTTP_MAX_SESSIONS', group: 'limits', commands: HTTP, value: wholeNumber({ min: 1 }), default: 100,
    meaning: 'Open sessions at most.',
  },
  httpMaxSessionsPerCaller: {
    flag: 'http-max-sessions-per-caller', env: 'HUAWEICLOUD_ER_MCP_HTTP_MAX_SESSIONS_PER_CALLER', group: 'limits', commands: HTTP,
    value: { kind: 'number', placeholder: 'N', whole: true, min: 1, unit: 'up to --http-max-sessions' }, default: 10, defaultText: '`10` (half the cap when the cap is under 20, at least 1)',
    meaning: 'Open sessions one caller may hold, so that one caller cannot lock the others out.',
    details: 'On a loopback server without authentication everyone is one caller, `http:loopback`, and only the cap applies.',
  },
  httpSessionIdleSeconds: {
    flag: 'http-session-idle-seconds', env: 'HUAWEICLOUD_ER_MCP_HTTP_SESSION_IDLE_SECONDS', group: 'limits', commands: HTTP, value: wholeNumber({ min: 1 }), default: 15 * 60,
    meaning: 'A session with no request (and no call running) for this many seconds is closed.',
  },

  logLevel: {
    env: 'LOG_LEVEL', group: 'logging', commands: EVERY, value: { kind: 'choice', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }, default: 'info',
    meaning: 'Logs go to stderr only (stdout carries MCP); an unknown level is warned about and logs at `info`.',
    details: 'At `debug` and `trace` a fatal error prints its stack too, with frames in `src/` files (source maps, see [Build and package](#build-and-package)).',
  },
  // OpenTelemetry's standard variables (observe/telemetry-settings.ts reads them through these rows). Off unless an endpoint is set.
  otlpEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT', group: 'logging', commands: SERVE, value: text('URL'), defaultText: 'none: OpenTelemetry off',
    meaning: 'The OTLP/HTTP collector\'s base URL, e.g. `http://collector:4318`: traces go to `/v1/traces`, metrics to `/v1/metrics` (see [Observability](#observability)).',
    details: 'Without it or a signal\'s own endpoint, nothing of OpenTelemetry is loaded or sent.',
  },
  otlpTracesEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', group: 'logging', commands: SERVE, value: text('URL'), defaultText: 'the base URL\'s `/v1/traces`',
    meaning: 'The full URL traces go to, used as given.',
  },
  otlpMetricsEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', group: 'logging', commands: SERVE, value: text('URL'), defaultText: 'the base URL\'s `/v1/metrics`',
    meaning: 'The full URL metrics go to, used as given.',
  },
  otlpHeaders: {
    env: 'OTEL_EXPORTER_OTLP_HEADERS', group: 'logging', commands: SERVE, value: text('K=V,K=V'), secret: true,
    meaning: 'Headers sent with every export (e.g. the collector\'s API key): `key=value`, comma-separated, values percent-encoded.',
  },
  otlpTracesHeaders: {
    env: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', group: 'logging', commands: SERVE, value: text('K=V,K=V'), secret: true,
    meaning: 'Headers for the trace exports only, over `OTEL_EXPORTER_OTLP_HEADERS`.',
  },
  otlpMetricsHeaders: {
    env: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', group: 'logging', commands: SERVE, value: text('K=V,K=V'), secret: true,
    meaning: 'Headers for the metric exports only, over `OTEL_EXPORTER_OTLP_HEADERS`.',
  },
  otlpProtocol: {
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL', group: 'logging', commands: SERVE, value: { kind: 'choice', choices: ['http/json'] }, default: 'http/json',
    meaning: 'The only protocol sent; another value is warned about.',
  },
  tracesExporter: {
    env: 'OTEL_TRACES_EXPORTER', group: 'logging', commands: SERVE, value: { kind: 'choice', choices: ['otlp', 'none'] }, default: 'otlp',
    meaning: '`none`: no traces are exported.',
  },
  metricsExporter: {
    env: 'OTEL_METRICS_EXPORTER', group: 'logging', commands: SERVE, value: { kind: 'choice', choices: ['otlp', 'none'] }, default: 'otlp',
    meaning: '`none`: no metrics are exported (`GET /metrics` answers all the same).',
  },
  otelSdkDisabled: {
    env: 'OTEL_SDK_DISABLED', group: 'logging', commands: SERVE, value: { kind: 'choice', choices: ['true', 'false'] }, default: 'false',
    meaning: '`true`: OpenTelemetry is off, whatever else is set.',
  },
  otelServiceName: {
    env: 'OTEL_SERVICE_NAME', group: 'logging', commands: SERVE, value: text('NAME'), default: 'huaweicloud-er-mcp',
    meaning: 'The `service.name` of what is exported.',
  },
  otelResourceAttributes: {
    env: 'OTEL_RESOURCE_ATTRIBUTES', group: 'logging', commands: SERVE, value: text('K=V,K=V'),
    meaning: 'More resource attributes of what is exported (`service.name` among them, if `OTEL_SERVICE_NAME` is not set).',
  },
  metricExportInterval: {
    env: 'OTEL_METRIC_EXPORT_INTERVAL', group: 'logging', commands: SERVE, value: { kind: 'number', placeholder: 'MS', whole: true, min: 1, unit: 'milliseconds' }, default: 60_000,
    meaning: 'Milliseconds between two metric exports.',
  },
  metricExportTimeout: {
    env: 'OTEL_METRIC_EXPORT_TIMEOUT', group: 'logging', commands: SERVE, value: { kind: 'number', placeholder: 'MS', whole: true, min: 1, unit: 'milliseconds' }, default: 30_000,
    meaning: 'How long one metric export may take (at most the interval).',
  },

  sandbox: {
    flag: 'sandbox', group: 'sandbox', commands: SERVE_AND_DOCTOR, value: { kind: 'switch' }, defaultText: 'off',
    meaning: 'Talk to a built-in ER emulator with a seeded topology instead of Huawei Cloud (see [Sandbox](#sandbox-and-the-er-emulator)).',
  },
  emulatorPort: {
    flag: 'port', env: 'HUAWEICLOUD_ER_EMULATOR_PORT', group: 'sandbox', commands: ['emulator'], value: wholeNumber({ min: 0, max: 65_535 }), default: 0, defaultText: '`0`: any free port',
    meaning: 'The port the emulator alone listens on.',
  },
  emulatorFaults: {
    env: 'HUAWEICLOUD_ER_EMULATOR_FAULTS', group: 'sandbox', commands: ['serve', 'emulator'], value: text('JSON', 'a JSON fault plan'),
    meaning: 'Faults the emulator injects (throttling, 5xx, resets, latency…), for `emulator` and `serve --sandbox` alike.',
  },

  help: { flag: 'help', group: 'general', commands: EVERY, value: { kind: 'switch' }, meaning: 'Print the usage and every setting, then exit.' },
  version: { flag: 'version', group: 'general', commands: EVERY, value: { kind: 'switch' }, meaning: 'Print the version and exit.' },
} as const satisfies Record<string, Setting>;

/** The rows in table order. */
export const SETTING_ROWS: readonly Setting[] = Object.values(SETTINGS);

/** `--flag / VARIABLE`, or whichever of the two the setting has: how messages name it. */
export function settingLabel(setting: Setting): string {
  return [setting.flag && `--${setting.flag}`, setting.env].filter(Boolean).join(' / ');
}

/** How a flag is given on the command line. `port` has two rows (HTTP and emulator) of one kind. */
export type FlagKind = 'switch' | 'boolean' | 'value';

export function flagKinds(rows: readonly Setting[] = SETTING_ROWS): Map<string, FlagKind> {
  const kinds = new Map<string, FlagKind>();
  for (const row of rows) {
    if (row.flag === undefined) continue;
    kinds.set(row.flag, row.value.kind === 'switch' || row.value.kind === 'boolean' ? row.value.kind : 'value');
  }
  return kinds;
}
