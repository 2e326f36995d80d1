// The body of a page's POST: a browser form (application/x-www-form-urlencoded) or JSON from a
// script (`curl -d '{"decision":"approve"}'`, which curl labels as a form: a body that starts with
// "{" is read as JSON whatever its label). Small: nothing a page posts needs more than a few KiB.
import type { IncomingMessage } from 'node:http';
import { readBody } from '../transports/http/body.js';

/** A login form carries a token (at most 8 KiB, the Authorization limit); nothing else is larger. */
export const MAX_FORM_BYTES = 16 * 1024;

export type FormResult =
  | { ok: true; fields: Map<string, string>; json: boolean }
  | { ok: false; status: 400 | 413 | 415; code: 'BAD_BODY' | 'BODY_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE'; message: string; json: boolean };

export async function readForm(req: IncomingMessage): Promise<FormResult> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const labelledJson = type === 'application/json';
  if (type !== '' && !labelledJson && type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return { ok: false, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send application/x-www-form-urlencoded or application/json', json: false };
  }
  const body = await readBody(req, MAX_FORM_BYTES);
  if (!body.ok) return { ok: false, status: body.reason === 'too_large' ? 413 : 400, code: body.reason === 'too_large' ? 'BODY_TOO_LARGE' : 'BAD_BODY', message: `The request body could not be read (${body.reason})`, json: labelledJson };
  const json = labelledJson || body.text.trimStart().startsWith('{');
  const fields = json ? jsonFields(body.text) : formFields(body.text);
  if (!fields) return { ok: false, status: 400, code: 'BAD_BODY', message: json ? 'The body is not a JSON object' : 'A form field is given more than once', json };
  return { ok: true, fields, json };
}

/** The object's string members (others are left out: a field that must be a string is then missing). */
function jsonFields(text: string): Map<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Each field once: `decision=approve&decision=reject` is not an answer. */
function formFields(text: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name)) return undefined;
    fields.set(name, value);
  }
  return fields;
}
