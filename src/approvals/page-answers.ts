// How the approval pages answer: HTML for browsers, JSON for scripts, redirects, and the same
// security headers on every one of them (no script, no framing, no caching, no referrer: the
// loopback page's URL holds its key, and a plan page is nobody else's business).
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { renderProblemPage } from './page.js';

/**
 * No script, no framing, forms only to this page's own origin, plus `formTargets`: browsers check
 * form-action on the redirects after a submission too, so the sign-in button's form, which this
 * server redirects to the authorization server, needs that server's origin listed.
 */
function contentSecurityPolicy(formTargets: readonly string[]): string {
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${["'self'", ...formTargets].join(' ')}; frame-ancestors 'none'; base-uri 'none'`;
}

export const SECURITY_HEADERS: Readonly<OutgoingHttpHeaders> = {
  'content-security-policy': contentSecurityPolicy([]),
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A refusal, as JSON `{error_code, message}` or as a problem page. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  headers?: OutgoingHttpHeaders;
  /** The page links back to the plan (the refusal came from a plan page's form). */
  backToPlan?: boolean;
}

/** Scripts ask for JSON or send it; browsers do neither on a navigation or a form post. */
export function wantsJson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('application/json') || (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

/** `formTargets`: other origins the page's forms may lead to (see contentSecurityPolicy). */
export function sendHtml(res: ServerResponse, status: number, page: string, headers: OutgoingHttpHeaders = {}, formTargets: readonly string[] = []): void {
  send(res, status, 'text/html; charset=utf-8', page, headers, formTargets);
}

export function sendPageJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

export function sendProblem(res: ServerResponse, json: boolean, problem: Problem): void {
  if (json) return sendPageJson(res, problem.status, { error_code: problem.code, message: problem.message }, problem.headers);
  const page = renderProblemPage({ title: titleOf(problem.status), message: problem.message, ...(problem.backToPlan ? { backToPlan: true } : {}) });
  sendHtml(res, problem.status, page, problem.headers);
}

/** 303: the browser follows with a GET, so reloading the next page never posts again. */
export function redirect(res: ServerResponse, location: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(303, { ...headers, ...SECURITY_HEADERS, location, 'content-length': 0 });
  res.end();
}

function send(res: ServerResponse, status: number, type: string, text: string, headers: OutgoingHttpHeaders, formTargets: readonly string[] = []): void {
  if (res.headersSent) return void res.end();
  const csp = formTargets.length > 0 ? { 'content-security-policy': contentSecurityPolicy(formTargets) } : {};
  res.writeHead(status, { ...headers, ...SECURITY_HEADERS, ...csp, 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function titleOf(status: number): string {
  return TITLES[status] ?? 'Something went wrong';
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Already decided',
  413: 'Request too large',
  415: 'Unsupported request',
  429: 'Too many requests',
  503: 'Try again shortly',
};
