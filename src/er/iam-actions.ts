// Which IAM action each API operation needs, so a 403 can name the permission to grant.
//
// Checked against the ER API reference's "Authorization Information" table of each API and the
// older "Permissions and Supported Actions" tables (support.huaweicloud.com/api-er, pages
// AssociateRouteTable, DisassociateRouteTable, ListAssociations, ListEnterpriseRouters,
// ShowEnterpriseRouter, ListRouteTables, ShowRouteTable, ListAttachments, er_02_0017…0021; read
// 2025-12 versions). Identity policies use `action`; custom policies written for the older
// fine-grained system use `alias` (the reference lists it as the action's alias).

export type ErOperation =
  | 'associate'
  | 'disassociate'
  | 'listAssociations'
  | 'listRouters'
  | 'getRouter'
  | 'listRouteTables'
  | 'getRouteTable'
  | 'listAttachments'
  | 'getAttachment'
  | 'enablePropagation'
  | 'disablePropagation'
  | 'listPropagations'
  | 'listEffectiveRoutes'
  | 'listProjects';

export interface IamAction {
  action: string;
  /** The name older custom policies use for the same permission. */
  alias?: string;
  /** False where the API reference could not be checked: the hint then says so. */
  verified: boolean;
}

export const IAM_ACTIONS: Readonly<Record<ErOperation, IamAction>> = {
  associate: { action: 'er:routeTables:associate', alias: 'er:associations:associate', verified: true },
  disassociate: { action: 'er:routeTables:disassociate', alias: 'er:associations:disassociate', verified: true },
  listAssociations: { action: 'er:routeTables:listAssociations', alias: 'er:associations:list', verified: true },
  listRouters: { action: 'er:instances:list', verified: true },
  getRouter: { action: 'er:instances:get', verified: true },
  listRouteTables: { action: 'er:routeTables:list', verified: true },
  getRouteTable: { action: 'er:routeTables:get', verified: true },
  // The identity-policy name differs from the older one here: the reference names both.
  listAttachments: { action: 'er:commonAttachments:list', alias: 'er:attachments:list', verified: true },
  // UNVERIFIED: the ShowAttachment page could not be read; er:attachments:get is confirmed only in
  // the older table, and the identity-policy name is inferred from listAttachments.
  getAttachment: { action: 'er:commonAttachments:get', alias: 'er:attachments:get', verified: false },
  // Propagations: EnablePropagation's own page (2025-12) names the action and its alias; the older
  // table (er_02_0022) confirms the aliases of all three. The identity-policy names of disable and
  // list are inferred from enable's (UNVERIFIED).
  enablePropagation: { action: 'er:routeTables:enablePropagation', alias: 'er:propagations:enable', verified: true },
  disablePropagation: { action: 'er:routeTables:disablePropagation', alias: 'er:propagations:disable', verified: false },
  listPropagations: { action: 'er:routeTables:listPropagations', alias: 'er:propagations:list', verified: false },
  // UNVERIFIED: the ListEffectiveRoutes authorization table could not be read; both names come from
  // the project's API notes, not the reference.
  listEffectiveRoutes: { action: 'er:effectiveRoutes:list', alias: 'er:routes:list', verified: false },
  // UNVERIFIED: the IAM reference (KeystoneListProjects) links to its action table without naming the action.
  listProjects: { action: 'iam:projects:list', verified: false },
};

/** "the IAM action X (older custom policies: Y)", or a hedged form when unverified. */
export function describeIamAction(operation: ErOperation): string {
  const { action, alias, verified } = IAM_ACTIONS[operation];
  const older = alias ? `, older custom policies: ${alias}` : '';
  return verified ? `the IAM action ${action}${alias ? ` (older custom policies: ${alias})` : ''}` : `an IAM action, probably ${action} (not confirmed in the API reference${older})`;
}
