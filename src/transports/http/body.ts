// Reads a request body up to a limit. A body past it is refused as soon as that is known (from
// Content-Length, or while reading), so a large upload costs neither memory nor parsing.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, reason: 'too_large' });
  return readBuffered(req, maxBytes) ?? readStreamed(req, maxBytes);
}

/**
 * The body when the whole request is already parsed and buffered (a small request comes in one
 * packet, before the handler runs): read at once, without switching the stream to flowing mode
 * and waiting turns of the event loop for its events. Undefined when it is not all there yet.
 */
function readBuffered(req: IncomingMessage, maxBytes: number): Promise<BodyResult> | undefined {
  if (!req.complete || req.readableFlowing) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
    size += chunk.length;
    if (size > maxBytes) {
      // The rest is drained so that the 413 can still be read by the client.
      req.resume();
      return Promise.resolve({ ok: false, reason: 'too_large' });
    }
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return Promise.resolve({ ok: true, text });
}

function readStreamed(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering, but keep draining so the 413 can still be read by the client.
        chunks.length = 0;
        req.resume();
        settle({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.once('error', () => settle({ ok: false, reason: 'aborted' }));
    req.once('close', () => settle({ ok: false, reason: 'aborted' }));
  });
}
