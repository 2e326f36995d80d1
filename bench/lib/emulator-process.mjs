// Runs the project's ER emulator (dist/) in its own process, so its request handling and garbage
// collection share neither an event loop nor the CPU accounting (process.cpuUsage) of the client
// being measured. Talks to the benchmark over the IPC channel of child_process.fork.
import { startEmulator } from '../../dist/emulator/emulator.js';
import { generatedTopology } from '../../dist/emulator/topology.js';

const { attachments, credentials } = JSON.parse(process.argv[2]);
const topology = generatedTopology({ attachments, routeTables: 2 });
// One settled association for the read benchmarks: attachment 0 on route table 0.
topology.attachments[0].associated_route_table_id = topology.routeTables[0].id;

const emulator = await startEmulator({
  credentials,
  topology,
  // New associations are usable at once and deleted ones vanish at once, so creates can be undone
  // between samples and the store stays the same size all run long.
  availableAfterMs: 0,
  deletedAfterMs: 0,
});

process.on('message', async (message) => {
  if (message.op === 'connections') process.send({ id: message.id, value: emulator.connections() });
  if (message.op === 'requests') process.send({ id: message.id, value: emulator.requests.length });
  if (message.op === 'close') {
    await emulator.close();
    process.send({ id: message.id, value: true }, () => process.exit(0));
  }
});
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0));

process.send({
  ready: true,
  url: emulator.url,
  projectId: topology.projectId,
  region: topology.region,
  erId: topology.routers[0].id,
  routeTables: topology.routeTables.map((t) => t.id),
  attachments: topology.attachments.map((a) => a.id),
});
