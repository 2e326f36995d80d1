// Static bearer tokens for small teams: a file of `name sha256-hex scope[,scope]` lines. Only
// hashes are stored, so the file alone does not let anyone in; it is still refused when others
// could read or swap it.
import { SCOPES } from '../../scopes.js';
import { PrivateFileError, readPrivateFile } from './private-file.js';

export interface StaticToken {
  name: string;
  /** SHA-256 of the token, 32 bytes. */
  hash: Buffer;
  scopes: string[];
}

export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const HEX = /^[0-9a-fA-F]{64}$/;

/** Ten thousand lines or so: more is not a tokens file someone meant to give. */
const MAX_TOKEN_FILE_BYTES = 1024 * 1024;

export function loadTokenFile(path: string): StaticToken[] {
  const what = `The tokens file ${path} (--http-tokens / HUAWEICLOUD_ER_MCP_HTTP_TOKENS)`;
  let text: string;
  try {
    text = readPrivateFile(path, what, MAX_TOKEN_FILE_BYTES);
  } catch (error) {
    if (error instanceof PrivateFileError) throw new TokenFileError(error.message);
    throw error;
  }
  return parseTokenLines(text, what);
}

export function parseTokenLines(text: string, what = 'The tokens file'): StaticToken[] {
  const tokens: StaticToken[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${what}, line ${index + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 3) throw new TokenFileError(`${where}: expected "name sha256-hex scope[,scope]" (three fields), got ${fields.length}.`);
    const [name, hex, scopeList] = fields as [string, string, string];
    if (!NAME.test(name)) throw new TokenFileError(`${where}: the name must be 1-64 letters, digits, ".", "_", "@" or "-".`);
    // Never echo the field: someone may have pasted the token itself instead of its hash.
    if (!HEX.test(hex)) throw new TokenFileError(`${where}: the second field must be the SHA-256 of the token as 64 hex digits (e.g. printf %s TOKEN | sha256sum).`);
    const scopes = scopeList.split(',').filter((s) => s !== '');
    const unknown = scopes.filter((s) => !(Object.values(SCOPES) as string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) throw new TokenFileError(`${where}: scopes must be among ${Object.values(SCOPES).join(', ')}, comma-separated${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`);
    if (names.has(name)) throw new TokenFileError(`${where}: the name ${name} is used twice.`);
    const key = hex.toLowerCase();
    if (hashes.has(key)) throw new TokenFileError(`${where}: the same token hash is listed twice.`);
    names.add(name);
    hashes.add(key);
    tokens.push({ name, hash: Buffer.from(key, 'hex'), scopes: [...new Set(scopes)] });
  });
  if (tokens.length === 0) throw new TokenFileError(`${what} lists no tokens.`);
  return tokens;
}
