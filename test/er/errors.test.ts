// Error bodies of every shape, what is worth retrying, and what may have been applied.
import { describe, expect, it } from 'vitest';
import { ErApiError, isRetryableResponse, mayHaveBeenApplied, parseErrorBody } from '../../src/er/errors.js';
import { type AttemptOutcome, HttpFailure, type HttpResponse } from '../../src/http/http-client.js';

const json = (status: number, code: string): HttpResponse => ({ status, headers: {}, body: JSON.stringify({ error_code: code, error_msg: 'x' }) });
const response = (r: HttpResponse): AttemptOutcome => ({ kind: 'response', response: r });

describe('parseErrorBody', () => {
  it('reads the three shapes the SDKs accept', () => {
    expect(parseErrorBody('{"error_code":"ER.1","error_msg":"m","request_id":"r"}')).toEqual({ code: 'ER.1', message: 'm', requestId: 'r' });
    expect(parseErrorBody('{"code":"APIGW.0301","message":"m"}')).toMatchObject({ code: 'APIGW.0301', message: 'm' });
    expect(parseErrorBody('{"error":{"code":"ER.2","message":"m"}}')).toMatchObject({ code: 'ER.2', message: 'm' });
  });

  it('tolerates anything else', () => {
    for (const body of ['', '<html></html>', 'null', '42', '"text"', '[1]', '{"error_code":7}', '{']) {
      expect(parseErrorBody(body).code).toBeUndefined();
    }
  });
});

describe('isRetryableResponse', () => {
  it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryableResponse({ status, headers: {}, body: '' })).toBe(true);
  });

  it.each(['ER.04001003', 'ER.04002003', 'ER.04004003', 'ER.04005003', 'ER.05039006'])('retries the busy code %s', (code) => {
    expect(isRetryableResponse(json(400, code))).toBe(true);
  });

  it.each([
    [401, 'APIGW.0301'],
    [401, 'ER.04001003'],
    [403, 'APIGW.0302'],
    [403, 'ER.04002003'],
    [400, 'ER.04009005'],
    [400, 'ER.04002002'],
    [400, 'ER.04009008'],
    [404, 'ER.04044001'],
    [404, 'APIGW.0101'],
    [409, 'ER.04095002'],
    [200, 'ER.04001003'],
  ])('never retries HTTP %i %s', (status, code) => {
    expect(isRetryableResponse(json(status, code))).toBe(false);
  });
});

describe('mayHaveBeenApplied', () => {
  const error = (outcomes: AttemptOutcome[]) => {
    const last = outcomes.at(-1) as { kind: 'response'; response: HttpResponse };
    return new ErApiError({ ...last.response, outcomes });
  };

  it('is false when every attempt was refused', () => {
    expect(mayHaveBeenApplied(error([response(json(429, 'APIGW.0308')), response(json(400, 'ER.04001003')), response(json(503, 'ER.05039006'))]))).toBe(false);
    expect(mayHaveBeenApplied(error([response(json(401, 'APIGW.0301'))]))).toBe(false);
  });

  it('is true when a 5xx or a lost connection came first, whatever the last answer', () => {
    expect(mayHaveBeenApplied(error([response({ status: 502, headers: {}, body: '<html></html>' }), response(json(429, 'APIGW.0308'))]))).toBe(true);
    expect(
      mayHaveBeenApplied(error([{ kind: 'failure', failure: 'network', possiblyDelivered: true }, response(json(429, 'APIGW.0308'))])),
    ).toBe(true);
  });

  it('follows the HTTP layer for failures without any answer', () => {
    const refused = new HttpFailure('network', 'refused', [{ kind: 'failure', failure: 'network', possiblyDelivered: false }]);
    const reset = new HttpFailure('network', 'reset', [{ kind: 'failure', failure: 'network', possiblyDelivered: true }]);
    expect(mayHaveBeenApplied(refused)).toBe(false);
    expect(mayHaveBeenApplied(reset)).toBe(true);
    expect(mayHaveBeenApplied(new Error('a 2xx body that did not parse'))).toBe(true);
  });
});

describe('ErApiError', () => {
  it('describes HTML, empty and text bodies without echoing control characters', () => {
    expect(new ErApiError({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><title>Bad Gateway</title></html>' }).errorMsg).toBe(
      'non-JSON (HTML) response with HTTP status 502: "Bad Gateway"',
    );
    expect(new ErApiError({ status: 503, headers: {}, body: '  ' }).errorMsg).toBe('empty response body with HTTP status 503');
    expect(new ErApiError({ status: 500, headers: {}, body: 'a\u0000b\nc' }).errorMsg).toBe('non-JSON response with HTTP status 500: a b c');
    expect(new ErApiError({ status: 500, headers: {}, body: 'x'.repeat(5_000) }).errorMsg.length).toBeLessThan(300);
  });

  it('measures clock skew when the response arrived', () => {
    const error = new ErApiError({ ...json(401, 'APIGW.0301'), headers: { date: 'Thu, 01 Jan 2026 00:00:00 GMT' }, receivedAtMs: Date.parse('2026-01-01T00:20:00Z') });
    expect(error.clockSkewMs).toBe(20 * 60_000);
  });
});
