// JSON-RPC messages as the transports write them, with one shortcut: a result whose JSON text is
// already known (tools/list's, made when the bundle was built) is written as that text instead of
// being parsed at start and serialized again. Such a result is still an ordinary object to any
// other reader (its fields parse the text when first read), so an in-memory client, or a
// transport that serializes by itself, sees the same message.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The JSON text of each result made by `resultWithJson`. */
const KNOWN_JSON = new WeakMap<object, string>();

/**
 * A result `{ [field]: value }` whose value's JSON text is `json`; the value is parsed only if
 * something reads the field.
 */
export function resultWithJson<F extends string, T>(field: F, json: string): { [K in F]: T } {
  let value: T | undefined;
  const result = {};
  Object.defineProperty(result, field, { enumerable: true, get: () => (value ??= JSON.parse(json) as T) });
  KNOWN_JSON.set(result, `{${JSON.stringify(field)}:${json}}`);
  return result as { [K in F]: T };
}

/** `message` as JSON text: the same text JSON.stringify gives, without serializing a known result again. */
export function messageJson(message: JSONRPCMessage): string {
  if ('result' in message && 'id' in message) {
    const known = KNOWN_JSON.get(message.result);
    // In the order the SDK makes a response ({ result, jsonrpc, id }): the bytes JSON.stringify would write.
    if (known !== undefined) return `{"result":${known},"jsonrpc":${JSON.stringify(message.jsonrpc)},"id":${JSON.stringify(message.id)}}`;
  }
  return JSON.stringify(message);
}
