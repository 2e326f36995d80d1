// `npm run demo`: a real MCP client starts the built server in sandbox mode over stdio and walks
// the whole workflow against the local ER emulator, printing a short transcript.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SANDBOX_IDS } from './emulator/topology.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

async function call(client: Client, name: string, args: Record<string, unknown>, onProgress?: (message: string) => void): Promise<Record<string, unknown>> {
  out(`\n→ ${name} ${JSON.stringify(args)}`);
  const result = (await client.callTool(
    { name, arguments: args },
    undefined,
    onProgress ? { onprogress: (p) => onProgress(p.message ?? String(p.progress)), resetTimeoutOnProgress: true } : undefined,
  )) as CallToolResult;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  if (result.isError) {
    out(`← error: ${text}`);
    throw new Error(`${name} failed`);
  }
  return result.structuredContent ?? {};
}

async function main(): Promise<void> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--sandbox'], stderr: 'ignore' });
  const client = new Client({ name: 'huaweicloud-er-mcp-demo', version: '1.0.0' });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    out(`Connected to ${client.getServerVersion()?.name} ${client.getServerVersion()?.version} in sandbox mode (local ER emulator).`);
    out(`Tools: ${tools.map((t) => t.name).join(', ')}`);

    const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
    out('\nTask: attach the payments VPC to the prod route table of the Shanghai router.');

    const created = await call(client, 'create_route_association', ids);
    const association = created.association as Record<string, unknown>;
    out(`← association ${association.id}: state ${association.state} (client_token ${created.client_token}, sandbox ${created.sandbox})`);
    out(JSON.stringify(association, null, 2).replace(/^/gm, '   '));

    const state = await call(client, 'get_association_state', { ...ids, wait_for: 'available', timeout_seconds: 60 }, (m) => out(`   … ${m}`));
    out(`← state ${state.state} after ${state.polls} poll(s), ${state.elapsed_seconds} s`);
    if (state.state !== 'available') throw new Error(`expected available, got ${String(state.state)}`);
    out('\nDone: the association went pending → available.');
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
