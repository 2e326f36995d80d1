// The one description of every API operation this project calls or emulates: its method and
// path (the ER API reference's, placeholders in braces), the key its answer carries, whether it
// changes anything, whether it takes an X-Client-Token, and the IAM action a 403 should name.
// The client builds its URLs from it, the emulator routes by it, the 403 hints and the fault
// plan use its names, and test/contract checks it against the API reference's fixtures.
//
// Names are the official SDK's method names (ErClient in huaweicloud-sdk-nodejs-v3), so one word
// means one operation in the code, the audit, the emulator's request log and the reference.
// IAM actions: the reference's "Authorization Information" table of each API, and the older
// "Permissions and Supported Actions" tables (er_02_0017…0022); identity policies use `action`,
// custom policies of the older fine-grained system use `alias`. docs/api-reference.md says where
// each was read; only the IAM project look-up's action could not be confirmed (`verified: false`).
import { assertSafeId } from './ids.js';

export interface IamAction {
  action: string;
  /** The name older custom policies use for the same permission. */
  alias?: string;
  /** False where the API reference could not be checked: the hint then says so. */
  verified: boolean;
}

export interface OperationSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The reference's path; `{name}` is a path parameter. */
  path: string;
  /** Where the answer's object or list sits in the body; absent when the answer has no body. */
  key?: string;
  /** Changes something in the account (the emulator's write log, the tests' "nothing was sent"). */
  write: boolean;
  /** Takes an `X-Client-Token` (1–64 characters) and echoes it. */
  clientToken?: boolean;
  iam: IamAction;
}

const ER = '/v3/{project_id}/enterprise-router';

export const OPERATIONS = {
  keystoneListProjects: {
    method: 'GET',
    path: '/v3/projects',
    key: 'projects',
    write: false,
    // UNVERIFIED: the IAM reference (KeystoneListProjects) links to its action table without naming the action.
    iam: { action: 'iam:projects:list', verified: false },
  },
  listEnterpriseRouters: { method: 'GET', path: `${ER}/instances`, key: 'instances', write: false, iam: { action: 'er:instances:list', verified: true } },
  showEnterpriseRouter: { method: 'GET', path: `${ER}/instances/{er_id}`, key: 'instance', write: false, iam: { action: 'er:instances:get', verified: true } },
  listRouteTables: { method: 'GET', path: `${ER}/{er_id}/route-tables`, key: 'route_tables', write: false, iam: { action: 'er:routeTables:list', verified: true } },
  showRouteTable: { method: 'GET', path: `${ER}/{er_id}/route-tables/{route_table_id}`, key: 'route_table', write: false, iam: { action: 'er:routeTables:get', verified: true } },
  listAttachments: {
    method: 'GET',
    path: `${ER}/{er_id}/attachments`,
    key: 'attachments',
    write: false,
    // The identity-policy name differs from the older one here: the reference names both.
    iam: { action: 'er:commonAttachments:list', alias: 'er:attachments:list', verified: true },
  },
  showAttachment: {
    method: 'GET',
    path: `${ER}/{er_id}/attachments/{attachment_id}`,
    key: 'attachment',
    write: false,
    iam: { action: 'er:commonAttachments:get', alias: 'er:attachments:get', verified: true },
  },
  listAssociations: {
    method: 'GET',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/associations`,
    key: 'associations',
    write: false,
    iam: { action: 'er:routeTables:listAssociations', alias: 'er:associations:list', verified: true },
  },
  associateRouteTable: {
    method: 'POST',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/associate`,
    key: 'association',
    write: true,
    clientToken: true,
    iam: { action: 'er:routeTables:associate', alias: 'er:associations:associate', verified: true },
  },
  disassociateRouteTable: {
    method: 'POST',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/disassociate`,
    write: true,
    iam: { action: 'er:routeTables:disassociate', alias: 'er:associations:disassociate', verified: true },
  },
  listPropagations: {
    method: 'GET',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/propagations`,
    key: 'propagations',
    write: false,
    iam: { action: 'er:routeTables:listPropagations', alias: 'er:propagations:list', verified: true },
  },
  enablePropagation: {
    method: 'POST',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/enable-propagations`,
    key: 'propagation',
    write: true,
    clientToken: true,
    iam: { action: 'er:routeTables:enablePropagation', alias: 'er:propagations:enable', verified: true },
  },
  disablePropagation: {
    method: 'POST',
    path: `${ER}/{er_id}/route-tables/{route_table_id}/disable-propagations`,
    write: true,
    iam: { action: 'er:routeTables:disablePropagation', alias: 'er:propagations:disable', verified: true },
  },
  // Routes: the route table alone names the path, no router id.
  listEffectiveRoutes: {
    method: 'GET',
    path: `${ER}/route-tables/{route_table_id}/routes`,
    key: 'routes',
    write: false,
    iam: { action: 'er:effectiveRoutes:list', alias: 'er:routes:list', verified: true },
  },
  listStaticRoutes: {
    method: 'GET',
    path: `${ER}/route-tables/{route_table_id}/static-routes`,
    key: 'routes',
    write: false,
    iam: { action: 'er:staticRoutes:list', alias: 'er:routes:list', verified: true },
  },
  showStaticRoute: {
    method: 'GET',
    path: `${ER}/route-tables/{route_table_id}/static-routes/{route_id}`,
    key: 'route',
    write: false,
    iam: { action: 'er:staticRoutes:get', alias: 'er:routes:get', verified: true },
  },
  createStaticRoute: {
    method: 'POST',
    path: `${ER}/route-tables/{route_table_id}/static-routes`,
    key: 'route',
    write: true,
    clientToken: true,
    iam: { action: 'er:staticRoutes:create', alias: 'er:routes:create', verified: true },
  },
  updateStaticRoute: {
    method: 'PUT',
    path: `${ER}/route-tables/{route_table_id}/static-routes/{route_id}`,
    key: 'route',
    write: true,
    iam: { action: 'er:staticRoutes:update', alias: 'er:routes:update', verified: true },
  },
  deleteStaticRoute: {
    method: 'DELETE',
    path: `${ER}/route-tables/{route_table_id}/static-routes/{route_id}`,
    write: true,
    iam: { action: 'er:staticRoutes:delete', alias: 'er:routes:delete', verified: true },
  },
} as const satisfies Record<string, OperationSpec>;

export type ErOperation = keyof typeof OPERATIONS;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as ErOperation[];

export function operationSpec(operation: ErOperation): OperationSpec {
  return OPERATIONS[operation];
}

/** Path parameters by their reference names (`er_id`, `route_table_id`, …). */
export type PathParams = Readonly<Record<string, string>>;

/**
 * The operation's path with its parameters filled in. Every value is checked as an ID first:
 * nothing that could change the path (a slash, a dot, a percent sign) ever reaches a URL.
 */
export function pathOf(operation: ErOperation, params: PathParams): string {
  return OPERATIONS[operation].path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${operation} needs ${name}`);
    assertSafeId(name, value);
    return value;
  });
}

interface CompiledRoute {
  operation: ErOperation;
  method: string;
  pattern: RegExp;
  names: string[];
}

let compiled: CompiledRoute[] | undefined;

function routes(): CompiledRoute[] {
  compiled ??= OPERATION_NAMES.map((operation) => {
    const { method, path } = OPERATIONS[operation];
    const names: string[] = [];
    const source = path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { operation, method, pattern: new RegExp(`^${source}$`), names };
  });
  return compiled;
}

export interface MatchedOperation {
  operation: ErOperation;
  /** Path parameters as sent (still percent-encoded). */
  params: Record<string, string>;
}

/** Which operation a request is (the emulator's router): the method and the path must both match. */
export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  for (const route of routes()) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = match[i + 1]!));
    return { operation: route.operation, params };
  }
  return undefined;
}

/** "the IAM action X (older custom policies: Y)", or a hedged form when unverified. */
export function describeIamAction(operation: ErOperation): string {
  const { action, alias, verified } = OPERATIONS[operation].iam as IamAction;
  const older = alias ? `, older custom policies: ${alias}` : '';
  return verified ? `the IAM action ${action}${alias ? ` (older custom policies: ${alias})` : ''}` : `an IAM action, probably ${action} (not confirmed in the API reference${older})`;
}
