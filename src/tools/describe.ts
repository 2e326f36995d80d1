// What tools/list shows of a tool: its name, words and annotations, and its schemas as JSON Schema.
// Run when the bundle is built for the registry's tools (registry.ts), so the shipped server does
// not convert schemas at start; run at start for tools a test brings, and for the registry when
// the server runs from the sources.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { portableSchema } from '../toolkit/portable-schema.js';
import type { ToolDefinition } from './definition.js';

/**
 * Same JSON Schema as the SDK's McpServer makes (draft-7, input and output sides), rewritten into
 * the portable subset (no type arrays, no empty schemas: see toolkit/portable-schema.ts).
 */
export function describeTool(tool: ToolDefinition): Tool {
  const { title, description, inputSchema, outputSchema, annotations } = tool.config;
  return {
    name: tool.name,
    title,
    description,
    inputSchema: portableSchema(z.toJSONSchema(inputSchema, { target: 'draft-7', io: 'input' })) as Tool['inputSchema'],
    annotations,
    // No tool runs as an MCP task: each answers within one call.
    execution: { taskSupport: 'forbidden' },
    outputSchema: portableSchema(z.toJSONSchema(outputSchema, { target: 'draft-7', io: 'output' })) as Tool['outputSchema'],
  };
}
