// Builds the MCP server: the tool registry, the instructions, and the gate around writes. No I/O
// of its own; everything comes in through the options. One server per MCP session.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { FirstUseValidator } from './first-use-validator.js';
import type { HostGate } from './guardrails/host-gate.js';
import type { PolicyHolder } from './policy/policy-holder.js';
import type { ConnectionSource, ToolEnv } from './toolkit/context.js';
import type { ToolDefinition } from './tools/definition.js';
import { catalogOf } from './tools/catalog.js';
import { REGISTRY } from './tools/registry.js';
import { installTools } from './tool-host.js';
import { VERSION } from './version.js';
import { acceptLogLevels } from './observe/session-log.js';

export const INSTRUCTIONS = [
  'Manages Huawei Cloud Enterprise Router (ER) route-table associations, propagations and static routes.',
  'Workflow: find IDs with the list_* tools → create_route_association with dry_run: true to see the plan (it returns a plan_id) →',
  'create_route_association with that plan_id → get_association_state with wait_for "available" (it then checks the routes',
  'against the plan: "verification") → (undo: delete_route_association, then get_association_state with wait_for "deleted").',
  'A person approves every change. If the answer is status "approval_required", nothing was sent: show the person the',
  'approval_url and the plan, and call again with the same arguments and plan_id once they say they approved it.',
  'A PLAN_STALE error means the world changed since the plan: show the fresh plan it carries before going on.',
  'Connecting an attachment to a route table usually also needs a propagation (the table learns the attachment\'s',
  'routes): the same steps with create_route_propagation and get_propagation_state (undo: delete_route_propagation).',
  'Dry runs show the routing_effect; list_effective_routes shows what a table really routes.',
  'A static route sends the traffic to one destination CIDR to one attachment, or drops it (is_blackhole: true); a table has',
  'one per destination, and it wins over propagated routes: list_static_routes, then the same steps with create_static_route',
  'and get_static_route_state (undo: delete_static_route, then get_static_route_state with wait_for "deleted").',
  'With a policy file, check_routing_policy tells whether its routing invariants hold on a router\'s routes now.',
  'Retrying a create with the same client_token never creates a duplicate. Failures are isError results whose',
  '"hint" says what to do next.',
].join(' ');

const READ_ONLY_INSTRUCTIONS = 'This server is read-only: it can look, not change.';

export interface ServerOptions {
  env: ToolEnv;
  connection: ConnectionSource;
  gate: HostGate;
  /** Who calls when the transport does not say (stdio: the local user). */
  defaultCaller?: string;
  /** The registry, unless a test brings its own. */
  tools?: readonly ToolDefinition[];
  /**
   * The policy file (`--policy`), the same holder as the gate's: the tools a caller is shown follow
   * it, so a reload tells the client its tool list changed. Absent without one.
   */
  policy?: Pick<PolicyHolder, 'onChange'>;
}

export function createServer(options: ServerOptions): Server {
  const { readOnly } = options.gate.settings;
  const server = new Server(
    { name: 'huaweicloud-er-mcp', version: VERSION, title: 'Huawei Cloud Enterprise Router' },
    { capabilities: { logging: {}, tools: options.policy ? { listChanged: true } : {} }, instructions: readOnly ? `${INSTRUCTIONS} ${READ_ONLY_INSTRUCTIONS}` : INSTRUCTIONS, jsonSchemaValidator: new FirstUseValidator() },
  );
  acceptLogLevels(server);
  if (options.policy) {
    // A session not connected yet (or gone) has no list to refresh: nothing to tell it.
    const stop = options.policy.onChange(() => void server.sendToolListChanged().catch(() => undefined));
    const closed = server.onclose;
    server.onclose = () => {
      stop();
      closed?.();
    };
  }
  installTools(server, {
    tools: options.tools ? catalogOf(options.tools) : REGISTRY,
    env: options.env,
    connection: options.connection,
    gate: options.gate,
    defaultCaller: options.defaultCaller ?? 'stdio',
  });
  return server;
}
