// 8. Text size: the characters of text content a model reads in one fixed sandbox workflow, per
// call and in total, as the server sends them and once more as a JSON string (what a client that
// stringifies tool output again, as LangChain's MCP adapters do, puts in front of the model).
// Run alone against any build: `node bench/sections/text-size.mjs [path/to/dist/cli.js]`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StdioRpc } from '../lib/stdio-rpc.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

function expect(condition, message) {
  if (!condition) throw new Error(`text-size check failed: ${message}`);
}

/** Runs the workflow once on `cli --sandbox`; returns each call's text length, as sent and stringified again. */
export async function textSize({ cli = CLI } = {}) {
  const home = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-text-size-'));
  const env = { PATH: process.env.PATH ?? '', HOME: home, HUAWEICLOUD_ER_MCP_CONFIRM_WRITES: 'never' };
  const server = StdioRpc.spawn([cli, '--sandbox'], { env });
  const calls = [];
  const call = async (label, name, args, { error = false } = {}) => {
    const result = await server.request('tools/call', { name, arguments: args });
    expect(Boolean(result.isError) === error, `${label}: ${error ? 'expected an error' : result.content?.[0]?.text}`);
    const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');
    // The text is the structured answer's JSON, whatever its layout.
    if (result.structuredContent) expect(JSON.stringify(JSON.parse(text)) === JSON.stringify(result.structuredContent), `${label}: text mirrors structured content`);
    calls.push({ call: label, tool: name, text_chars: text.length, stringified_chars: JSON.stringify(text).length });
    return result.structuredContent ?? {};
  };
  try {
    await server.initialize();
    const routers = await call('list routers', 'list_enterprise_routers', {});
    const er = routers.routers.find((r) => r.name === 'er-shanghai-core').id;
    const tables = await call('list route tables', 'list_route_tables', { er_id: er });
    const prod = tables.route_tables.find((t) => t.name === 'rtb-prod').id;
    const attachments = await call('list attachments', 'list_attachments', { er_id: er });
    const payments = attachments.attachments.find((a) => a.name === 'vpc-payments').id;
    const ids = { er_id: er, route_table_id: prod, attachment_id: payments };
    const dryRun = await call('association dry run', 'create_route_association', { ...ids, dry_run: true });
    await call('create association', 'create_route_association', { ...ids, plan_id: dryRun.plan_id });
    await call('wait until available', 'get_association_state', { ...ids, wait_for: 'available', timeout_seconds: 30 });
    await call('effective routes', 'list_effective_routes', { route_table_id: prod });
    const undo = await call('delete dry run', 'delete_route_association', { ...ids, dry_run: true });
    await call('delete association', 'delete_route_association', { ...ids, plan_id: undo.plan_id });
    await call('wait until deleted', 'get_association_state', { ...ids, wait_for: 'deleted', timeout_seconds: 30 });
    await call('static route dry run', 'create_static_route', { er_id: er, route_table_id: prod, destination: '10.99.0.0/16', attachment_id: payments, dry_run: true });
    await call('error: unknown router', 'list_route_tables', { er_id: 'a1b2c3d4-0000-4000-8000-0000000000ff' }, { error: true });
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
  const total = (key) => calls.reduce((sum, c) => sum + c[key], 0);
  return { cli, calls, total: { text_chars: total('text_chars'), stringified_chars: total('stringified_chars') } };
}

export function renderTextSize(r) {
  const width = Math.max(...r.calls.map((c) => c.call.length), 'total'.length);
  const line = (a, b, c) => `${a.padEnd(width)}  ${String(b).padStart(10)}  ${String(c).padStart(11)}`;
  const rows = [line('call', 'text', 'stringified'), line('-'.repeat(width), '-'.repeat(10), '-'.repeat(11))];
  for (const c of r.calls) rows.push(line(c.call, c.text_chars, c.stringified_chars));
  rows.push(line('total', r.total.text_chars, r.total.stringified_chars));
  return `${rows.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cli = process.argv[2] ? path.resolve(process.argv[2]) : CLI;
  const result = await textSize({ cli });
  process.stdout.write(`${result.cli}\n${renderTextSize(result)}`);
}
