// Kept in step with package.json by a test, so the server never reports a stale version.
export const VERSION = '0.1.0';
