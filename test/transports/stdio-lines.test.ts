// The stdin line filter alone, on in-memory streams: lines within the limit pass byte for byte,
// however they are split into chunks; a longer one is dropped whole and reported with its id.
import { describe, expect, it } from 'vitest';
import { type DroppedLine, LineLimiter, requestId } from '../../src/transports/stdio-lines.js';

/** Feeds the chunks through a limiter; returns what came out and what was reported dropped. */
async function run(chunks: Array<string | Buffer>, maxLineBytes = 64): Promise<{ out: string; dropped: DroppedLine[] }> {
  const dropped: DroppedLine[] = [];
  const limiter = new LineLimiter({ maxLineBytes, onDropped: (line) => dropped.push(line) });
  const parts: Buffer[] = [];
  limiter.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = new Promise((resolve) => limiter.on('end', resolve));
  for (const chunk of chunks) limiter.write(chunk);
  limiter.end();
  await ended;
  return { out: Buffer.concat(parts).toString('utf8'), dropped };
}

describe('LineLimiter', () => {
  it('passes lines within the limit unchanged, whatever the chunking, the limit itself included', async () => {
    const lines = ['{"a":1}', 'x'.repeat(64), '', 'ünïcödé ✓'];
    const text = lines.map((l) => `${l}\n`).join('');
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 7, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const { out, dropped } = await run(chunks);
      expect(out, `chunks of ${size}`).toBe(text);
      expect(dropped).toEqual([]);
    }
  });

  it('drops a line one byte over the limit, whole, and passes the lines around it', async () => {
    const { out, dropped } = await run([`before\n${'y'.repeat(65)}\nafter\n`]);
    expect(out).toBe('before\nafter\n');
    expect(dropped).toEqual([{ bytes: 65, id: undefined }]);
  });

  it('drops a long line arriving in many chunks, holding no more than the limit', async () => {
    const chunks = ['{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"a":"', ...Array.from({ length: 100 }, () => 'z'.repeat(50)), '"}}\n{"jsonrpc":"2.0","id":42,"method":"ping"}\n'];
    const { out, dropped } = await run(chunks, 1_000);
    expect(out).toBe('{"jsonrpc":"2.0","id":42,"method":"ping"}\n');
    expect(dropped).toEqual([{ bytes: chunks.slice(0, -1).join('').length + 3, id: 41 }]);
  });

  it('finds the id of the TypeScript SDK client layout, where it comes last', async () => {
    const line = JSON.stringify({ method: 'tools/call', params: { name: 't', arguments: { big: 'q'.repeat(5_000) } }, jsonrpc: '2.0', id: 'req-9' });
    const { dropped } = await run([line.slice(0, 2_000), line.slice(2_000, line.length - 3), line.slice(-3), '\n'], 1_000);
    expect(dropped).toEqual([{ bytes: Buffer.byteLength(line), id: 'req-9' }]);
  });

  it('a line still open at the end is passed on as it is', async () => {
    expect((await run(['{"partial":'])).out).toBe('{"partial":');
  });
});

describe('requestId', () => {
  it('reads only a top-level request id', () => {
    expect(requestId('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{', '')).toBe(5);
    expect(requestId(' { "jsonrpc" : "2.0" , "id" : "a\\"b" , "method" : "x"', '')).toBe('a"b');
    expect(requestId('{"method":"tools/call","params":{"x":"', '…"}},"jsonrpc":"2.0","id":12}')).toBe(12);
    // A notification, a response, an id nested in the arguments, an unknown layout: no id.
    expect(requestId('{"method":"notifications/x","params":{"a":"', '…"},"jsonrpc":"2.0"}')).toBeUndefined();
    expect(requestId('{"jsonrpc":"2.0","id":3,"result":{"content":"', '')).toBeUndefined();
    expect(requestId('{"method":"tools/call","params":{"id":4,"x":"', '…","id":4}}')).toBeUndefined();
    expect(requestId('{"params":{"a":"', '"},"jsonrpc":"2.0","id":6}')).toBeUndefined();
    expect(requestId('{"jsonrpc":"2.0","id":1.5,"method":"x"', '')).toBeUndefined();
  });
});
