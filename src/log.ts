// Logs go to stderr (fd 2) only: stdout carries JSON-RPC and nothing else.
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear, in case a secret-bearing object is ever logged. */
const REDACTED_PATHS = [
  'ak',
  'sk',
  'securityToken',
  'credentials',
  '*.ak',
  '*.sk',
  '*.securityToken',
  '*.credentials',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-security-token"]',
  '*.headers.authorization',
  '*.headers["x-security-token"]',
];

export function createLogger(level = 'info'): Logger {
  return pino(
    { name: 'huaweicloud-er-mcp', level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that writes nothing, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
