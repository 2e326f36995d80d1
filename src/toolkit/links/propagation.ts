// The propagation: which route tables LEARN an attachment's routes. Propagations are per table,
// so "already exists" always means "on this table".
import { ER_CODES } from '../../er/codes.js';
import { describePropagationPlan, planPropagation, type PropagationPlan } from '../../plans/propagation-plan.js';
import { callOptions } from '../context.js';
import { type LinkKind, linkIdsOf, linkRefOf } from './kind.js';

export const PROPAGATION: LinkKind = {
  noun: 'propagation',
  alreadyField: 'already_propagating',
  tools: { create: 'create_route_propagation', delete: 'delete_route_propagation', state: 'get_propagation_state', list: 'list_route_propagations' },
  codes: { exists: ER_CODES.PROPAGATION_EXISTS, busy: ER_CODES.PROPAGATION_BUSY, notFound: ER_CODES.PROPAGATION_NOT_FOUND },
  refOf: linkRefOf,
  idsOf: linkIdsOf,
  api: {
    create: async (er, ref, clientToken, options) => {
      const { propagation, ...rest } = await er.enablePropagation(ref, clientToken, options);
      return { link: propagation, ...rest };
    },
    remove: (er, ref, options) => er.disablePropagation(ref, options),
    find: (er, ref, options) => er.findPropagation(ref, options),
  },
  plan: (call, change, ref) => planPropagation(call, change === 'create' ? 'enable_propagation' : 'disable_propagation', ref, callOptions(call)),
  describe: (tool, plan) => describePropagationPlan(tool, plan as PropagationPlan),
  phrases: {
    noneHere: 'No propagation of this attachment into this route table',
    theOneHere: 'The propagation into this route table',
    beingRemoved: 'being removed',
    isRemoving: 'is being removed',
    existsSaid: 'the propagation already exists',
    existsSays: 'the propagation already exists',
    lookElsewhere: 'call list_route_propagations',
  },
};
