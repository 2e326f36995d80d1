// A result whose JSON text is known is written as that text, and is an ordinary result to anyone else.
import { ListToolsResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { messageJson, resultWithJson } from '../src/message-json.js';

const tools: Tool[] = [{ name: 'echo', description: 'Says it “back” — in full', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }];
const json = JSON.stringify(tools);

describe('messageJson', () => {
  it('writes a response with a known result as the bytes JSON.stringify writes for the parsed result', () => {
    for (const id of [7, 'req-"1"']) {
      const response = { result: resultWithJson<'tools', Tool[]>('tools', json), jsonrpc: '2.0' as const, id };
      expect(messageJson(response)).toBe(JSON.stringify({ result: { tools }, jsonrpc: '2.0', id }));
    }
  });

  it('does not parse the known text to write it; a reader of the field gets the parsed value, as a client validating the result does', () => {
    const result = resultWithJson<'tools', Tool[]>('tools', '[not json at all');
    expect(messageJson({ result, jsonrpc: '2.0', id: 1 })).toBe('{"result":{"tools":[not json at all},"jsonrpc":"2.0","id":1}');
    expect(() => result.tools).toThrow(SyntaxError);
    expect(ListToolsResultSchema.parse(resultWithJson('tools', json))).toEqual({ tools });
  });

  it('serializes every other message as JSON.stringify does', () => {
    const messages = [
      { jsonrpc: '2.0' as const, id: 1, result: { tools } },
      { jsonrpc: '2.0' as const, id: 2, error: { code: -32602, message: 'bad' } },
      { jsonrpc: '2.0' as const, method: 'notifications/message', params: { level: 'info', data: 'x' } },
    ];
    for (const message of messages) expect(messageJson(message)).toBe(JSON.stringify(message));
  });
});
