#!/usr/bin/env node
// The cold-start baseline: the smallest useful MCP server on the same SDK and zod, with one
// trivial tool. What our server costs to start beyond this is our own dependencies and set-up.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'bench-baseline', version: '1.0.0' });
server.registerTool(
  'echo',
  { description: 'Returns its text.', inputSchema: { text: z.string() } },
  ({ text }) => ({ content: [{ type: 'text', text }] }),
);
await server.connect(new StdioServerTransport());
// Same courtesy as the real server: leave when the host closes stdin.
process.stdin.on('end', () => process.exit(0));
