// 2. Per-call cost: one get_association_state look and one create_route_association through the
// built server over stdio, against the same signed request made by the project's own layers and by
// the official SDK's pipeline. Sequential calls, contenders interleaved call by call.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ErClient } from '../../dist/er/client.js';
import { HttpClient } from '../../dist/http/http-client.js';
import { BENCH_CREDENTIALS } from '../lib/emulator.mjs';
import { cpuMs } from '../lib/proc.mjs';
import { associateOptions, listAssociationsOptions, officialClient } from '../lib/official-sdk.mjs';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** The server's per-call deadline (HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS default), given to our layers too. */
const DEADLINE_MS = 30_000;

function expect(condition, message) {
  if (!condition) throw new Error(`per-call check failed: ${message}`);
}

export async function perCall({ emulator, env, calls, warmup, createAttachments }) {
  const server = StdioRpc.spawn([CLI], { env });
  await server.initialize();
  await server.request('tools/list', {});
  const http = new HttpClient({ endpoint: emulator.url, credentials: BENCH_CREDENTIALS });
  const er = new ErClient(http, emulator.projectId);
  const sdk = officialClient({ endpoint: emulator.url, ...BENCH_CREDENTIALS, projectId: emulator.projectId });
  // Undoes each create between samples, on its own connection, untimed.
  const janitorHttp = new HttpClient({ endpoint: emulator.url, credentials: BENCH_CREDENTIALS, connections: 1 });
  const janitor = new ErClient(janitorHttp, emulator.projectId);

  const erId = emulator.erId;
  const tablePath = (table) => `/v3/${emulator.projectId}/enterprise-router/${erId}/route-tables/${table}`;
  const projectHeader = { 'X-Project-Id': emulator.projectId };

  // --- get_association_state (one look) and the same GET ---
  const look = { erId, routeTableId: emulator.routeTables[0], attachmentId: emulator.attachments[0] };
  const lookArgs = { er_id: erId, route_table_id: look.routeTableId, attachment_id: look.attachmentId };
  const getContenders = [
    {
      name: 'mcp',
      run: async () => {
        const result = await server.callTool('get_association_state', lookArgs);
        expect(result.structuredContent?.state === 'available', 'mcp get state');
      },
    },
    {
      // Not the same work: the stdio round trip alone (a JSON-RPC ping the SDK answers itself), to
      // split "MCP − floor" into transport and tool machinery.
      name: 'ping',
      run: async () => {
        await server.request('ping', {});
      },
    },
    {
      name: 'er',
      run: async () => {
        const found = await er.findAssociation(look, { deadline: Date.now() + DEADLINE_MS });
        expect(found?.state === 'available', 'er get state');
      },
    },
    {
      name: 'http',
      run: async () => {
        const res = await http.request({
          method: 'GET',
          path: `${tablePath(look.routeTableId)}/associations`,
          query: { attachment_id: look.attachmentId },
          headers: projectHeader,
          deadline: Date.now() + DEADLINE_MS,
        });
        expect(res.status === 200 && JSON.parse(res.body).associations[0].state === 'available', 'http get state');
      },
    },
    {
      name: 'sdk',
      run: async () => {
        const res = await sdk.sendRequest(listAssociationsOptions(look));
        expect(res.httpStatusCode === 200 && res.associations[0].state === 'available', 'sdk get state');
      },
    },
  ];
  let serverCpu = await cpuMs(server.pid);
  let emulatorCpu = await cpuMs(emulator.pid);
  const getSamples = await interleave(getContenders, { warmup, rounds: calls });
  const getServerCpuMs = (await cpuMs(server.pid)) - serverCpu;
  // Every round sends one request per contender, except the ping.
  const getEmulatorUs = ((await cpuMs(emulator.pid)) - emulatorCpu) * 1000 / ((getContenders.length - 1) * (calls + warmup));

  // --- create_route_association and the same POST, each create undone before the next ---
  const createTable = emulator.routeTables[1];
  let next = 0;
  const nextAttachment = () => createAttachments[next++ % createAttachments.length];
  let current;
  const createContenders = [
    {
      name: 'mcp',
      run: async () => {
        current = nextAttachment();
        const result = await server.callTool('create_route_association', { er_id: erId, route_table_id: createTable, attachment_id: current });
        expect(result.structuredContent?.already_associated === false, 'mcp create was a fresh create');
      },
    },
    {
      name: 'er',
      run: async () => {
        current = nextAttachment();
        const created = await er.associate({ erId, routeTableId: createTable, attachmentId: current }, randomUUID(), { deadline: Date.now() + DEADLINE_MS });
        expect(created.association.attachment_id === current, 'er create');
      },
    },
    {
      name: 'http',
      run: async () => {
        current = nextAttachment();
        const res = await http.request({
          method: 'POST',
          path: `${tablePath(createTable)}/associate`,
          json: { attachment_id: current },
          headers: { ...projectHeader, 'X-Client-Token': randomUUID() },
          deadline: Date.now() + DEADLINE_MS,
        });
        expect(res.status === 202 && JSON.parse(res.body).association.attachment_id === current, 'http create');
      },
    },
    {
      name: 'sdk',
      run: async () => {
        current = nextAttachment();
        const res = await sdk.sendRequest(associateOptions({ erId, routeTableId: createTable, attachmentId: current, clientToken: randomUUID() }));
        expect(res.httpStatusCode === 202 && res.association.attachment_id === current, 'sdk create');
      },
    },
  ];
  const undo = () => janitor.disassociate({ erId, routeTableId: createTable, attachmentId: current });
  serverCpu = await cpuMs(server.pid);
  emulatorCpu = await cpuMs(emulator.pid);
  const createSamples = await interleave(createContenders, { warmup, rounds: calls, between: undo });
  const createServerCpuMs = (await cpuMs(server.pid)) - serverCpu;
  // Every round sends one create and one undo per contender.
  const createEmulatorUs = ((await cpuMs(emulator.pid)) - emulatorCpu) * 1000 / (2 * createContenders.length * (calls + warmup));

  await server.close();
  await http.close();
  await janitorHttp.close();
  return {
    get: { ...compare(getSamples, getServerCpuMs, calls, warmup), emulator_cpu_us_per_request: round(getEmulatorUs, 1) },
    create: { ...compare(createSamples, createServerCpuMs, calls, warmup), emulator_cpu_us_per_request: round(createEmulatorUs, 1) },
  };
}

function compare({ time, cpu }, serverCpuMs, calls, warmup) {
  const s = Object.fromEntries(Object.entries(time).map(([name, values]) => [name, summarise(values)]));
  // CPU per call of whoever does the work: this process for the in-process clients; for the MCP
  // path, the server process (from /proc, warm-up calls included, so it is an upper bound).
  const cpuUs = Object.fromEntries(Object.entries(cpu).map(([name, values]) => [name, summarise(values).mean]));
  // For the get comparison the server also answered the pings: a small share, left in (upper bound).
  cpuUs.mcp = round((serverCpuMs * 1000) / (calls + warmup), 1);
  if (cpuUs.ping !== undefined) cpuUs.ping = null;
  const mcpOverFloor = round(s.mcp.median - s.http.median, 3);
  const mcpOverEr = round(s.mcp.median - s.er.median, 3);
  const sdkOverHttp = round(s.sdk.median / s.http.median, 2);
  const sdkOverHttpCpu = round(cpuUs.sdk / cpuUs.http, 2);
  return {
    calls,
    warmup,
    unit: 'ms',
    contenders: s,
    cpu_us_per_call_mean: cpuUs,
    mcp_minus_http_median_ms: mcpOverFloor,
    mcp_minus_er_median_ms: mcpOverEr,
    sdk_over_http_median: sdkOverHttp,
    // The same comparison without the emulator's and the kernel's share of each round trip.
    sdk_over_http_cpu: sdkOverHttpCpu,
    targets: [
      { name: 'MCP path over the HTTP floor (median)', value: mcpOverFloor, unit: 'ms', limit: '<= 1', pass: mcpOverFloor <= 1 },
      { name: 'official SDK / our HTTP layer (median)', value: sdkOverHttp, limit: '>= 2', pass: sdkOverHttp >= 2 },
    ],
  };
}
