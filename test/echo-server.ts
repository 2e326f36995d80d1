// A hostile endpoint on 127.0.0.1 that copies every request header back into its answers: in
// JSON error messages, HTML pages, URL-encoded and JSON-escaped, cut short, in response headers
// and in the names of the things it lists; and, in the `transformed-*` modes, the AK, the token,
// the signature and the whole Authorization re-encoded (see `transforms`). It stands in for ER
// and IAM at once; the test picks how it answers. It records every Authorization value and
// signature it was sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EchoMode =
  /** 401 with every header, as JSON, in error_msg (the gateway's auth failure, made hostile). */
  | 'json-401'
  /** 403 whose message holds the token URL-encoded, the AK \u-escaped and the token's first 20 characters. */
  | 'encoded-403'
  /** 502 HTML page with the headers in its title and body. */
  | 'html-502'
  /** 200 whose items are named after the header values (a list, or a project lookup). */
  | 'names-200'
  /**
   * 403 whose message holds the AK, token and signature in the encodings of `transforms`: the next
   * few of them with each answer, in turn (a message is cut at 500 characters on its way to a tool result).
   */
  | 'transformed-403'
  /** 200 whose items are named after all those encodings, the Authorization's too; the response headers carry some as well. */
  | 'transformed-200';

export interface EchoServer {
  url: string;
  /** How ER paths are answered. */
  erMode: EchoMode;
  /** How the IAM project look-up is answered: echoed like ER, or a normal answer with this project id. */
  iamMode: EchoMode | { projectId: string; region: string };
  /** Every Authorization header value sent to it. */
  authorizations: string[];
  /** The Signature= part of each of them. */
  signatures(): string[];
  close(): Promise<void>;
}

const unicodeEscaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const base64 = (bytes: Buffer) => bytes.toString('base64');
const base64url = (bytes: Buffer) => bytes.toString('base64url');
const swapCase = (text: string) => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

/**
 * A value re-encoded every way the scrubbing claims to undo, labelled: base64 and base64url with
 * and without padding, hex in both cases, its case changed three ways, reversed, inside a larger
 * base64 blob at each of the three byte alignments (a JSON document that carries it, as a JWT or
 * a log shipper would), and base64 URL-encoded on top.
 */
export function transforms(value: string): Array<[string, string]> {
  const bytes = Buffer.from(value, 'utf8');
  const out: Array<[string, string]> = [
    ['base64', base64(bytes)],
    ['base64-unpadded', base64(bytes).replace(/=+$/, '')],
    ['base64url', base64url(bytes)],
    ['base64url-padded', base64url(bytes).padEnd(Math.ceil(base64url(bytes).length / 4) * 4, '=')],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['upper', value.toUpperCase()],
    ['lower', value.toLowerCase()],
    ['swapped', swapCase(value)],
    ['reversed', [...value].reverse().join('')],
    ['base64-urlencoded', encodeURIComponent(base64(Buffer.from(`?${value}`)))],
  ];
  for (const align of [0, 1, 2]) {
    // The document's opening is padded so that the value starts `align` bytes past a 3-byte boundary.
    let head = `{"kind":"echo","pad":"${'p'.repeat(align)}","value":"`;
    while (head.length % 3 !== align) head = head.replace('"pad":"', '"pad":"p');
    const blob = Buffer.from(`${head}${value}","at":"${new Date(0).toISOString()}"}`);
    out.push([`in-base64-blob-${align}`, base64(blob)], [`in-base64url-blob-${align}`, base64url(blob)]);
  }
  return out;
}

export async function startEchoServer(): Promise<EchoServer> {
  const echo = {
    erMode: 'json-401',
    iamMode: 'json-401',
    authorizations: [] as string[],
  } as EchoServer;
  /** Where the next transformed-403 message starts in its list of encodings. */
  let rotation = 0;

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });

  function answer(req: IncomingMessage, res: ServerResponse): void {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const authorization = headers.authorization ?? '';
    const token = headers['x-security-token'] ?? '';
    const ak = /Access=([^,]+)/.exec(authorization)?.[1] ?? '';
    echo.authorizations.push(authorization);
    const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? '';
    const isIam = (req.url ?? '').startsWith('/v3/projects');
    const mode = isIam ? echo.iamMode : echo.erMode;
    const transformed = typeof mode === 'string' && mode.startsWith('transformed-');
    // Echoed in a response header too: x-request-id reaches tool results as request_id.
    const echoHeaders: Record<string, string> = transformed
      ? { 'x-request-id': base64(Buffer.from(token)), 'x-echo-ak': ak.split('').reverse().join(''), 'x-echo-signature': signature.toUpperCase(), 'x-echo-token': Buffer.from(token).toString('hex') }
      : { 'x-request-id': token, 'x-echo-authorization': authorization, 'x-echo-token': encodeURIComponent(token) };
    // Ordered encoding by encoding, each for every value, so that a few in a row cover all the values.
    const encodedFor = (values: Record<string, string>): Array<[string, string]> => {
      const each = Object.entries(values).map(([name, value]) => transforms(value).map(([how, text]): [string, string] => [`${name}.${how}`, text]));
      return each[0]!.flatMap((_, i) => each.map((list) => list[i]!));
    };

    if (typeof mode === 'object') {
      return send(res, 200, { projects: [{ id: mode.projectId, name: mode.region, enabled: true }] }, echoHeaders);
    }
    switch (mode) {
      case 'json-401':
        return send(res, 401, { error_code: 'APIGW.0301', error_msg: `Incorrect IAM authentication information: request headers ${JSON.stringify(headers)}` }, echoHeaders);
      case 'encoded-403':
        return send(
          res,
          403,
          { error_code: 'APIGW.0302', error_msg: `denied token=${encodeURIComponent(token)} ak=${unicodeEscaped(ak)} start=${token.slice(0, 20)}… auth=${authorization}` },
          echoHeaders,
        );
      case 'html-502': {
        const rows = Object.entries(headers).map(([k, v]) => `<tr><td>${html(k)}</td><td>${html(v)}</td></tr>`).join('');
        res.writeHead(502, { 'content-type': 'text/html', ...echoHeaders });
        return void res.end(`<html><head><title>502 ${html(authorization)}</title></head><body><table>${rows}</table></body></html>`);
      }
      case 'names-200': {
        if (isIam) {
          // Two projects named as asked, so the look-up's error lists their (echoed) ids.
          const region = new URL(req.url ?? '/', 'http://echo').searchParams.get('name') ?? '';
          return send(res, 200, { projects: [{ id: token, name: region, enabled: true }, { id: authorization, name: region, enabled: true }] }, echoHeaders);
        }
        const item = (id: string, name: string) => ({ id, name, state: token, attachment_id: token, route_table_id: token, resource_id: authorization });
        const items = [item('a1', authorization), item('a2', token), item('a3', ak)];
        return send(res, 200, { instances: items, route_tables: items, attachments: items, associations: items, page_info: { next_marker: '' }, request_id: token }, echoHeaders);
      }
      case 'transformed-403': {
        const encoded = encodedFor({ ak, token, signature });
        const shown: string[] = [];
        while (shown.join(' ').length < 400) {
          const [label, text] = encoded[rotation++ % encoded.length]!;
          shown.push(`${label}=${text}`);
        }
        // The request id is shown whole (in tool results and by doctor): some encodings always ride on it.
        const requestId = [Buffer.from(token).toString('hex').toUpperCase(), signature.split('').reverse().join(''), swapCase(ak), Buffer.from(signature).toString('hex')].join(' ');
        return send(res, 403, { error_code: 'APIGW.0302', error_msg: `denied: ${shown.join(' ')}`, request_id: requestId }, echoHeaders);
      }
      case 'transformed-200': {
        const encoded = encodedFor({ ak, token, signature, authorization });
        if (isIam) {
          // Projects named as asked, so the look-up's error lists their (encoded) ids.
          const region = new URL(req.url ?? '/', 'http://echo').searchParams.get('name') ?? '';
          return send(res, 200, { projects: encoded.map(([, text]) => ({ id: text, name: region, enabled: true })) }, echoHeaders);
        }
        const items = encoded.map(([label, text], i) => ({ id: `t${i}`, name: text, state: label, attachment_id: text, route_table_id: text, resource_id: text }));
        return send(res, 200, { instances: items, route_tables: items, attachments: items, associations: items, page_info: { next_marker: '' }, request_id: encoded[0]![1] }, echoHeaders);
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  echo.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  echo.signatures = () => echo.authorizations.map((a) => /Signature=([0-9a-f]+)/.exec(a)?.[1] ?? '').filter(Boolean);
  echo.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return echo;
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
