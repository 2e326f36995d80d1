// Stopping OpenTelemetry is bounded: a collector that takes the export and never answers does not
// hold the server's shutdown up to the exporter's own time-out.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startOpenTelemetry } from '../../src/observe/otel/start.js';

describe('OpenTelemetry shutdown', () => {
  const held: ServerResponse[] = [];
  /** Exports whose request the exporter gave up on (it closes the connection at its own time-out). */
  let abandoned = 0;
  const collector = createServer((req, res) => {
    req.resume();
    held.push(res);
    res.on('close', () => (abandoned += 1));
  });
  afterAll(() => {
    collector.closeAllConnections();
    collector.close();
    // startOpenTelemetry set the API's one global, its diagnostic logger: the next file in this worker starts without it.
    diag.disable();
  });

  it('returns at its bound while an export still hangs on the collector', async () => {
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/metrics`;
    const telemetry = startOpenTelemetry({ serviceName: 'test', resourceAttributes: {}, metrics: { url, headers: {}, intervalMs: 50, timeoutMs: 50 } }, silentLogger());
    telemetry.metrics!.add({ name: 'er_mcp.sessions.open', kind: 'updown', unit: '{session}', description: 'd' }, 1, { transport: 'stdio' });
    const anExportHangs = () => expect(held.length).toBeGreaterThan(0);
    await vi.waitFor(anExportHangs, { timeout: 10_000 });

    await telemetry.shutdown(100);
    // Unbounded, shutdown would wait for the exporter to give up (10 s) and close its request:
    // it returned with every export still open, unanswered.
    expect(abandoned).toBe(0);
    expect(held.every((res) => !res.writableEnded)).toBe(true);
  });
});
