// pino as this program configures it, loaded by src/log.ts when its records are to be written.
import { pino, type Logger } from 'pino';

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

/**
 * The logger on stderr. `now` gives each line's time in ms since the epoch, written as pino
 * writes it by default: a record kept before pino loaded still says when it was made.
 */
export function pinoLogger(level: string, now: () => number): Logger {
  return pino(
    { name: 'huaweicloud-er-mcp', level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, timestamp: () => `,"time":${now()}` },
    pino.destination({ dest: 2, sync: true }),
  );
}
