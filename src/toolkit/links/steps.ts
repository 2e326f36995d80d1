// The four steps the gate runs for a link's create or delete (src/tools/definition.ts WriteSteps),
// the same for associations and propagations: the kind's plan and words, the create or delete
// of create.ts / delete.ts, and the route check after the change.
import { verifyRoutes } from '../../plans/verify-routes.js';
import type { WriteSteps, WriteTarget } from '../../tools/definition.js';
import { createLink } from './create.js';
import { deleteLink } from './delete.js';
import type { LinkChange, LinkKind } from './kind.js';

export function linkSteps<R>(kind: LinkKind<R>, change: LinkChange): WriteSteps {
  const tool = change === 'create' ? kind.tools.create : kind.tools.delete;
  return {
    plan: (target, call) => kind.plan(call, change, kind.refOf(target)),
    describe: (plan) => kind.describe(tool, plan),
    apply: (target, call) => (change === 'create' ? createLink(kind, call, kind.refOf(target), tokenOf(target)) : deleteLink(kind, call, kind.refOf(target))),
    verify: verifyRoutes,
    settles: { stateTool: kind.tools.state, state: change === 'create' ? 'available' : 'not_found' },
  };
}

/** The gate fixes a create's client token before recording its intent: a create without one is a bug. */
function tokenOf(target: WriteTarget): string {
  if (typeof target.client_token !== 'string') throw new Error('a create reached the API step without the client token the gate fixes');
  return target.client_token;
}
