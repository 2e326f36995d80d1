// `npm run demo`: two real MCP clients, each starting the built server over stdio, walk the whole
// workflow against one local ER emulator: an IDE-like client whose human approves in a form, and a
// chat-ops bot that cannot ask, whose change a person approves on the approval page.
import { spawn } from 'node:child_process';
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

/** One MCP client with the server it started, pointed at the shared emulator. */
interface Session {
  client: Client;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const auditLog = join(mkdtempSync(join(tmpdir(), 'er-mcp-demo-')), 'audit.jsonl');
  // One emulator for both clients, so the second sees what the first changed.
  const emulator = await startEmulatorProcess(cli);
  const start = async (name: string, canAsk: boolean): Promise<Session> => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--audit-log', auditLog], env: emulator.env, stderr: 'ignore' });
    const client = new Client({ name, version: '1.0.0' }, canAsk ? { capabilities: { elicitation: { form: {} } } } : {});
    if (canAsk) {
      // Like an IDE: it shows the server's question to its human (here the demo prints it and approves).
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        out('   ? the server asks the human to approve, in the client:');
        out(request.params.message.replace(/^/gm, '     | '));
        out('   ! the human approves');
        return { action: 'accept', content: { approve: true } };
      });
    }
    await client.connect(transport);
    return { client, close: () => client.close() };
  };
  const ide = await start('ide-assistant', true);
  const bot = await start('chat-ops-bot', false);
  try {
    const { client } = ide;
    const { tools } = await client.listTools();
    out(`Two MCP clients, each with its own ${client.getServerVersion()?.name} ${client.getServerVersion()?.version} over stdio, against the local ER emulator:`);
    out('an IDE assistant (its client can show an approval form) and a chat-ops bot (its client cannot ask anything).');
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

    out('\n2. Plan both changes, with their routing effect, before anything changes; each plan gets a plan_id');
    const associationDryRun = (await call(client, 'create_route_association', { ...ids, dry_run: true })) as { plan: Plan; plan_id: string; plan_expires_at: string };
    const { plan } = associationDryRun;
    out(`← association: will_change ${plan.will_change}, conflicts ${JSON.stringify(plan.conflicts)}, current association ${JSON.stringify(plan.current_association)}`);
    out(`   plan_id ${associationDryRun.plan_id}, usable until ${associationDryRun.plan_expires_at}`);
    printAssociationEffect(plan.routing_effect, { [String(table.id)]: table.name });
    const propagationDryRun = (await call(client, 'create_route_propagation', { ...ids, dry_run: true })) as { plan: Plan; plan_id: string };
    out(`← propagation: will_change ${propagationDryRun.plan.will_change}, conflicts ${JSON.stringify(propagationDryRun.plan.conflicts)}`);
    printPropagationEffect(propagationDryRun.plan.routing_effect);

    out('\n3. The IDE assistant makes the association from its plan: the human approves it in the client\'s form');
    const created = await call(client, 'create_route_association', { ...ids, plan_id: associationDryRun.plan_id });
    const association = created.association as Record<string, unknown>;
    out(`← association ${association.id}: state ${association.state} (client_token ${created.client_token}, plan ${created.plan_id})`);
    out(JSON.stringify(association, null, 2).replace(/^/gm, '   '));
    out('   … and waits until it is available, as the result says how; the server then checks the routes against the plan');
    const next = created.next as { tool: string; arguments: Record<string, unknown> };
    const state = await call(client, next.tool, next.arguments, (m) => out(`   … ${m}`));
    out(`← association state ${state.state} after ${state.polls} poll(s), ${state.elapsed_seconds} s; verification ${describeVerification(state.verification)}`);
    if (state.state !== 'available') throw new Error(`expected available, got ${String(state.state)}`);

    out('\n4. The chat-ops bot makes the propagation: its client cannot ask, so the server answers with an approval page');
    const pending = await call(bot.client, 'create_route_propagation', ids);
    out(`← status ${pending.status}: nothing was sent. approval_url ${pending.approval_url}`);
    out(`   hint: ${pending.hint}`);
    const page = await fetch(String(pending.approval_url), { headers: { accept: 'text/html' } });
    const text = (await page.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    out(`   the person opens the page (HTTP ${page.status}): "${text.slice(text.indexOf('Routing effect'), text.indexOf('Routing effect') + 160).trim()}…"`);
    const approved = await fetch(String(pending.approval_url), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    const decision = (await approved.json()) as Record<string, unknown>;
    out(`   ! the person approves on the page: ${decision.status} by ${decision.decided_by}`);
    const propagated = await call(bot.client, 'create_route_propagation', { ...ids, plan_id: pending.plan_id });
    const propagation = propagated.propagation as Record<string, unknown>;
    out(`← propagation ${propagation.id}: state ${propagation.state} (client_token ${propagated.client_token}, plan ${propagated.plan_id})`);

    out('   … and waits until it is available too');
    const propagationNext = propagated.next as { tool: string; arguments: Record<string, unknown> };
    const propagationState = await call(bot.client, propagationNext.tool, propagationNext.arguments, (m) => out(`   … ${m}`));
    out(`← propagation state ${propagationState.state} after ${propagationState.polls} poll(s), ${propagationState.elapsed_seconds} s; verification ${describeVerification(propagationState.verification)}`);
    if (propagationState.state !== 'available') throw new Error(`expected available, got ${String(propagationState.state)}`);

    out('\n5. Check: the effective routes of rtb-prod that now reach the payments VPC');
    const reaching = await call(client, 'list_effective_routes', { route_table_id: table.id, attachment_id: attachment.id });
    for (const route of reaching.routes as Array<{ destination: string; route_type: string; next_hops: Array<{ resource_type: string }> }>) {
      out(`← ${route.destination} (${route.route_type}) → ${attachment.name} (${route.next_hops.map((h) => h.resource_type).join(', ')})`);
    }

    out('\n6. Prod must never reach the analytics VPC (10.30.0.0/16): the IDE assistant blackholes it in rtb-prod');
    const blackhole = { er_id: router.id, route_table_id: table.id, destination: '10.30.0.0/16', is_blackhole: true, description: 'prod must not reach analytics' };
    const blackholeDryRun = (await call(client, 'create_static_route', { ...blackhole, dry_run: true })) as { plan: Plan; plan_id: string };
    out(`← static route: will_change ${blackholeDryRun.plan.will_change}, conflicts ${JSON.stringify(blackholeDryRun.plan.conflicts)}, plan_id ${blackholeDryRun.plan_id}`);
    printStaticRouteEffect(blackholeDryRun.plan.routing_effect);
    const blackholed = await call(client, 'create_static_route', { ...blackhole, plan_id: blackholeDryRun.plan_id });
    const route = blackholed.route as Record<string, unknown>;
    out(`← static route ${route.id} to ${route.destination}: state ${route.state}, blackhole ${route.is_blackhole} (client_token ${blackholed.client_token}, plan ${blackholed.plan_id})`);
    out('   … and waits until it is available, checked against the plan');
    const routeNext = blackholed.next as { tool: string; arguments: Record<string, unknown> };
    const routeState = await call(client, routeNext.tool, routeNext.arguments, (m) => out(`   … ${m}`));
    out(`← static route state ${routeState.state} after ${routeState.polls} poll(s), ${routeState.elapsed_seconds} s; verification ${describeVerification(routeState.verification)}`);
    if (routeState.state !== 'available') throw new Error(`expected available, got ${String(routeState.state)}`);

    out('\n7. Undo all three through the IDE assistant, as the create results say how, and wait until they are gone');
    for (const result of [blackholed, propagated, created]) {
      const undo = result.undo as { tool: string; arguments: Record<string, unknown> };
      const deleting = await call(client, undo.tool, undo.arguments);
      out(`← state ${deleting.state}`);
      const after = deleting.next as { tool: string; arguments: Record<string, unknown> };
      const gone = await call(client, after.tool, after.arguments, (m) => out(`   … ${m}`));
      out(`← state ${gone.state}`);
    }

    out(`\nAudit trail (${auditLog}):`);
    for (const line of readFileSync(auditLog, 'utf8').trim().split('\n')) out(`   ${describeAuditLine(JSON.parse(line) as Record<string, unknown>)}`);
    out('\nDone: associated, propagated and blackholed, pending → available → deleting → gone, every write planned (with its routing effect),');
    out('approved by a person (in the client, or on the page), audited, checked against its plan and undone.');
  } finally {
    await ide.close();
    await bot.close();
    emulator.stop();
  }
}

/** `huaweicloud-er-mcp emulator` in a process of its own, and the variables it prints to point a server at it. */
async function startEmulatorProcess(cli: string): Promise<{ env: Record<string, string>; stop(): void }> {
  const child = spawn(process.execPath, [cli, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let printed = '';
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      const pairs = [...printed.matchAll(/^\s+(HUAWEICLOUD_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
      if (pairs.some(([name]) => name === 'HUAWEICLOUD_SDK_SK')) resolve(Object.fromEntries(pairs));
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
  });
  return { env, stop: () => child.kill() };
}

function describeVerification(verification: unknown): string {
  const v = verification as { status?: string; differences_count?: number } | undefined;
  if (!v?.status) return 'none';
  return v.status === 'differs' ? `differs (${v.differences_count} difference(s))` : v.status;
}

function describeAuditLine(r: Record<string, unknown>): string {
  const head = `${r.time}  ${String(r.tool).padEnd(24)}`;
  switch (r.event) {
    case 'intent':
      return `${head}  attempt ${String(r.attempt_id).slice(0, 8)}  intent (about to send)  requested_by=${r.requested_by} approved_by=${r.approved_by} via ${r.approval_channel}`;
    case 'outcome':
      return `${head}  attempt ${String(r.attempt_id).slice(0, 8)}  outcome ${r.outcome}  state=${r.state}  guardrail=${r.guardrail}`;
    case 'verification':
      return `${head}  attempt ${String(r.attempt_id).slice(0, 8)}  verification ${r.outcome}`;
    default:
      return `${head}  plan ${String(r.plan_id).slice(0, 13)}…  ${r.event}${r.person ? ` by ${r.person} via ${r.channel}` : ''}`;
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

function printStaticRouteEffect(effect: Record<string, unknown> | null): void {
  if (!effect) {
    out('   routing effect: not computed');
    return;
  }
  const way = (value: unknown) => {
    const route = value as { destination: string; route_type: string | null; blackhole?: boolean; next_hops: Array<{ resource_type: string | null }> } | null;
    if (!route) return 'nowhere (no route: dropped)';
    return route.blackhole ? `dropped (blackhole ${route.destination})` : `via ${route.next_hops.map((h) => h.resource_type).join('+')} (${route.route_type} ${route.destination})`;
  };
  out(`   routing effect on rtb-prod: traffic to ${effect.destination} goes ${way(effect.used_before)} now, ${way(effect.used_after)} after`);
  const affected = effect.attachments_affected as Listed;
  const none = effect.used_before === null ? 'none, it is dropped either way (the blackhole keeps out what a propagation could bring in later)' : 'none';
  out(`     attachments whose traffic to it changes: ${effect.traffic_changes ? destinations(affected) : none}`);
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
