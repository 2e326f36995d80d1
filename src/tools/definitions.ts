// The one list of tools the server offers, with their schemas and what they do (src/tools/definition.ts
// says what a tool is). Loaded by the registry (registry.ts) when a tool is first called, not at start.
import type { ToolDefinition } from './definition.js';
import { createRouteAssociationTool } from './create-route-association.js';
import { deleteRouteAssociationTool } from './delete-route-association.js';
import { getAssociationStateTool } from './get-association-state.js';
import { listAttachmentsTool } from './list-attachments.js';
import { listEnterpriseRoutersTool } from './list-enterprise-routers.js';
import { listRouteAssociationsTool } from './list-route-associations.js';
import { listRouteTablesTool } from './list-route-tables.js';
import { createRoutePropagationTool } from './create-route-propagation.js';
import { deleteRoutePropagationTool } from './delete-route-propagation.js';
import { getPropagationStateTool } from './get-propagation-state.js';
import { listEffectiveRoutesTool } from './list-effective-routes.js';
import { listRoutePropagationsTool } from './list-route-propagations.js';
import { createStaticRouteTool } from './create-static-route.js';
import { deleteStaticRouteTool } from './delete-static-route.js';
import { getStaticRouteStateTool } from './get-static-route-state.js';
import { listStaticRoutesTool } from './list-static-routes.js';
import { checkRoutingPolicyTool } from './check-routing-policy.js';

export const TOOLS: readonly ToolDefinition[] = [
  listEnterpriseRoutersTool,
  listRouteTablesTool,
  listAttachmentsTool,
  listRouteAssociationsTool,
  getAssociationStateTool,
  createRouteAssociationTool,
  deleteRouteAssociationTool,
  listRoutePropagationsTool,
  getPropagationStateTool,
  createRoutePropagationTool,
  deleteRoutePropagationTool,
  listStaticRoutesTool,
  getStaticRouteStateTool,
  createStaticRouteTool,
  deleteStaticRouteTool,
  listEffectiveRoutesTool,
  checkRoutingPolicyTool,
];
