// The scopes an HTTP caller's token may carry, named once. Stdio callers (no token) hold them all.
// er:read admits a caller at all (the transport checks it); er:write shows and opens the write
// tools (the tool host); er:approve lets a caller decide on another's plan (the approval page);
// metrics reads GET /metrics, and nothing else (a Prometheus scraper's token opens no tool).
export const SCOPES = { read: 'er:read', write: 'er:write', approve: 'er:approve', metrics: 'metrics' } as const;

export const KNOWN_SCOPES: readonly string[] = Object.values(SCOPES);
