// The association: which route table an attachment USES. An attachment has at most one, so
// "already exists" may mean "on another table", which the create then names.
import type { AssociationRef } from '../../er/client.js';
import { ER_CODES } from '../../er/codes.js';
import { describePlan, type Plan, planAssociation } from '../../plans/association-plan.js';
import { callOptions, type WriteAnswer } from '../context.js';
import { failure, type ToolError } from '../results.js';
import { type CreateAttempt, refused } from './create-answers.js';
import { type LinkKind, linkIdsOf, linkRefOf } from './kind.js';

export const ASSOCIATION: LinkKind = {
  noun: 'association',
  alreadyField: 'already_associated',
  tools: { create: 'create_route_association', delete: 'delete_route_association', state: 'get_association_state', list: 'list_route_associations' },
  codes: { exists: ER_CODES.ASSOCIATION_EXISTS, busy: ER_CODES.ASSOCIATION_BUSY, notFound: ER_CODES.ASSOCIATION_NOT_FOUND },
  refOf: linkRefOf,
  idsOf: linkIdsOf,
  api: {
    create: async (er, ref, clientToken, options) => {
      const { association, ...rest } = await er.associate(ref, clientToken, options);
      return { link: association, ...rest };
    },
    remove: (er, ref, options) => er.disassociate(ref, options),
    find: (er, ref, options) => er.findAssociation(ref, options),
  },
  plan: (call, change, ref) => planAssociation(call, change === 'create' ? 'associate' : 'disassociate', ref, callOptions(call)),
  describe: (tool, plan) => describePlan(tool, plan as Plan),
  existsElsewhere: heldByAnotherTable,
  phrases: {
    noneHere: 'No association of this attachment on this route table',
    theOneHere: "The attachment's association on this route table",
    beingRemoved: 'being deleted',
    isRemoving: 'is deleting',
    existsSaid: 'the attachment already has an association',
    existsSays: 'this attachment already has an association',
    lookElsewhere: 'call list_attachments to see where it is associated',
  },
};

/** ER.04002002 with no association on the requested table: say which table holds it, if any. */
async function heldByAnotherTable(attempt: CreateAttempt<AssociationRef>, described: ToolError): Promise<WriteAnswer | null> {
  const { call, ref, clientToken } = attempt;
  // Only the attachment's list entry says where it is associated.
  const attachment = await call.er.findListedAttachment(ref.erId, ref.attachmentId, callOptions(call, attempt.lookupDeadline));
  const holder = attachment?.associated ? attachment.route_table_id : null;
  if (!holder || holder === ref.routeTableId) return null;
  const result = failure({
    ...described,
    client_token: clientToken,
    associated_route_table_id: holder,
    hint:
      `Attachment ${ref.attachmentId} is already associated with route table ${holder}, and an attachment can have only one association. ` +
      `Remove that association first (delete_route_association with route_table_id ${holder}), then create this one.`,
  });
  return refused(result, described);
}
