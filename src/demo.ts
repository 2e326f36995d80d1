// `npm run demo`: a real MCP client starts the built server in sandbox mode over stdio and walks
// the whole workflow against the local ER emulator, printing a short transcript.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

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
  const auditLog = join(mkdtempSync(join(tmpdir(), 'er-mcp-demo-')), 'audit.jsonl');
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--sandbox', '--audit-log', auditLog], stderr: 'ignore' });
  // The demo client can ask its "human" (here: it prints the question and approves), as IDE clients do.
  const client = new Client({ name: 'huaweicloud-er-mcp-demo', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    out('   ? the server asks the human to approve:');
    out(request.params.message.replace(/^/gm, '     | '));
    out('   ! the human approves');
    return { action: 'accept', content: { approve: true } };
  });
  await client.connect(transport);
  try {
    const { tools } = await client.listTools();
    out(`Connected to ${client.getServerVersion()?.name} ${client.getServerVersion()?.version} in sandbox mode (local ER emulator).`);
    out(`Tools: ${tools.map((t) => t.name).join(', ')}`);
    out('\nTask: "connect the payments VPC to the prod route table of the Shanghai router".');
    out('On Enterprise Router that is two changes: an ASSOCIATION (the VPC uses rtb-prod for its lookups)');
    out('and a PROPAGATION (rtb-prod learns the VPC\'s routes, so what uses rtb-prod can reach it).');

    out('\n1. Find the IDs from the names');
    const router = firstItem(await call(client, 'list_enterprise_routers', { name: 'shanghai-core' }), 'routers');
    out(`← router ${router.name} = ${router.id}`);
    const table = firstItem(await call(client, 'list_route_tables', { er_id: router.id, name: 'prod' }), 'route_tables');
    out(`← route table ${table.name} = ${table.id}`);
    const attachment = firstItem(await call(client, 'list_attachments', { er_id: router.id, name: 'payments' }), 'attachments');
    out(`← attachment ${attachment.name} (${attachment.resource_type} ${attachment.resource_id}) = ${attachment.id}, associated: ${attachment.associated}`);
    const ids = { er_id: router.id, route_table_id: table.id, attachment_id: attachment.id };

    out('\n2. Plan both changes, with their routing effect, before anything changes');
    const { plan } = (await call(client, 'create_route_association', { ...ids, dry_run: true })) as { plan: Plan };
    out(`← association: will_change ${plan.will_change}, conflicts ${JSON.stringify(plan.conflicts)}, current association ${JSON.stringify(plan.current_association)}`);
    printAssociationEffect(plan.routing_effect, { [String(table.id)]: table.name });
    const propagationPlan = ((await call(client, 'create_route_propagation', { ...ids, dry_run: true })) as { plan: Plan }).plan;
    out(`← propagation: will_change ${propagationPlan.will_change}, conflicts ${JSON.stringify(propagationPlan.conflicts)}`);
    printPropagationEffect(propagationPlan.routing_effect);

    out('\n3. Make both changes (each one is approved by the human first)');
    const created = await call(client, 'create_route_association', ids);
    const association = created.association as Record<string, unknown>;
    out(`← association ${association.id}: state ${association.state} (client_token ${created.client_token}, sandbox ${created.sandbox})`);
    out(JSON.stringify(association, null, 2).replace(/^/gm, '   '));
    const propagated = await call(client, 'create_route_propagation', ids);
    const propagation = propagated.propagation as Record<string, unknown>;
    out(`← propagation ${propagation.id}: state ${propagation.state} (client_token ${propagated.client_token})`);

    out('\n4. Wait until both are available, as the create results say how');
    const next = created.next as { tool: string; arguments: Record<string, unknown> };
    const state = await call(client, next.tool, next.arguments, (m) => out(`   … ${m}`));
    out(`← association state ${state.state} after ${state.polls} poll(s), ${state.elapsed_seconds} s`);
    if (state.state !== 'available') throw new Error(`expected available, got ${String(state.state)}`);
    const propagationNext = propagated.next as { tool: string; arguments: Record<string, unknown> };
    const propagationState = await call(client, propagationNext.tool, propagationNext.arguments, (m) => out(`   … ${m}`));
    out(`← propagation state ${propagationState.state} after ${propagationState.polls} poll(s), ${propagationState.elapsed_seconds} s`);
    if (propagationState.state !== 'available') throw new Error(`expected available, got ${String(propagationState.state)}`);

    out('\n5. Check: the effective routes of rtb-prod that now reach the payments VPC');
    const reaching = await call(client, 'list_effective_routes', { route_table_id: table.id, attachment_id: attachment.id });
    for (const route of reaching.routes as Array<{ destination: string; route_type: string; next_hops: Array<{ resource_type: string }> }>) {
      out(`← ${route.destination} (${route.route_type}) → ${attachment.name} (${route.next_hops.map((h) => h.resource_type).join(', ')})`);
    }

    out('\n6. Undo both, as the create results say how, and wait until they are gone');
    for (const result of [propagated, created]) {
      const undo = result.undo as { tool: string; arguments: Record<string, unknown> };
      const deleting = await call(client, undo.tool, undo.arguments);
      out(`← state ${deleting.state}`);
      const after = deleting.next as { tool: string; arguments: Record<string, unknown> };
      const gone = await call(client, after.tool, after.arguments, (m) => out(`   … ${m}`));
      out(`← state ${gone.state}`);
    }

    out(`\nAudit trail (${auditLog}):`);
    for (const line of readFileSync(auditLog, 'utf8').trim().split('\n')) {
      const r = JSON.parse(line) as Record<string, unknown>;
      const what = r.event === 'intent' ? 'intent (about to send)' : `outcome ${r.outcome}  state=${r.state}`;
      out(`   ${r.time}  attempt ${String(r.attempt_id).slice(0, 8)}  ${r.tool}  ${what}  guardrail=${r.guardrail}`);
    }
    out('\nDone: associated and propagated, pending → available → deleting → gone, every write planned (with its routing effect), approved, audited and undone.');
  } finally {
    await client.close();
  }
}

interface Plan {
  will_change: boolean;
  conflicts: unknown[];
  current_association?: unknown;
  routing_effect: Record<string, unknown> | null;
}

interface Listed {
  count: number;
  entries: Array<{ destination: string; next_hops?: Array<{ resource_type: string | null }>; message?: string } | string>;
}

function destinations(listed: Listed): string {
  const shown = listed.entries.map((e) => (typeof e === 'string' ? e : `${e.destination}${e.next_hops?.length ? ` via ${e.next_hops.map((h) => h.resource_type).join('+')}` : ''}`));
  return listed.count === 0 ? 'none' : `${listed.count}: ${shown.join(', ')}${listed.count > shown.length ? ', …' : ''}`;
}

function printAssociationEffect(effect: Record<string, unknown> | null, names: Record<string, string | undefined>): void {
  if (!effect) {
    out('   routing effect: not computed');
    return;
  }
  const table = (id: unknown) => (typeof id === 'string' ? (names[id] ?? id) : 'no route table');
  out(`   routing effect: lookups move from ${table(effect.route_table_before)} to ${table(effect.route_table_after)}`);
  out(`     reachable after: ${destinations(effect.added as Listed)}`);
  out(`     no longer reachable: ${destinations(effect.removed as Listed)}`);
  out(`     dropped on purpose (blackhole): ${destinations(effect.blackholed_after as Listed)}`);
}

function printPropagationEffect(effect: Record<string, unknown> | null): void {
  if (!effect) {
    out('   routing effect: not computed');
    return;
  }
  out(`   routing effect on rtb-prod: appear ${destinations(effect.appear as Listed)}; disappear ${destinations(effect.disappear as Listed)}`);
  for (const conflict of (effect.conflicts as Listed).entries) out(`     conflict: ${typeof conflict === 'string' ? conflict : conflict.message}`);
}

function firstItem(result: Record<string, unknown>, key: string): Record<string, string> {
  const items = result[key] as Array<Record<string, string>> | undefined;
  if (!items?.[0]) throw new Error(`no ${key} found`);
  return items[0];
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
