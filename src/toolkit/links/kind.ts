// Associations and propagations are both a link between an attachment and a route table, and
// their tools keep one contract: an idempotent create that converges on what really happened, its
// undo, and a wait for a state. A LinkKind names what differs between the two (the noun, the ER
// calls, the error codes, the tools a hint points at, a few words of the hints), so that contract
// is written once, in the files beside this one.
import type { AssociationRef, CallOptions, ErClient, WriteResult } from '../../er/client.js';
import type { ToolCall, WriteAnswer } from '../context.js';
import type { MadePlan } from '../../plans/plan-book.js';
import type { ToolError } from '../results.js';
import type { CreateAttempt } from './create-answers.js';

/** What the shared code reads of an association or a propagation as the API returns it. */
export interface Link {
  id: string;
  state: string;
}

export interface CreatedLink extends WriteResult {
  link: Link;
}

export type LinkChange = 'create' | 'delete';

export interface LinkKind {
  /** The word the results and hints use; also the result field that carries the link. */
  noun: 'association' | 'propagation';
  /** The create result's field that says the link was there before the call. */
  alreadyField: 'already_associated' | 'already_propagating';
  /** The tools a `next`, `undo` or hint points at. */
  tools: { create: string; delete: string; state: string; list: string };
  codes: {
    /** "Already exists": the create converges on the link that is there. */
    exists: string;
    /** "Operation in progress" on the link itself: another request may be making this very link. */
    busy: string;
    /** The delete found nothing to remove. */
    notFound: string;
  };
  api: {
    create(er: ErClient, ref: AssociationRef, clientToken: string, options: CallOptions): Promise<CreatedLink>;
    remove(er: ErClient, ref: AssociationRef, options: CallOptions): Promise<WriteResult>;
    /** The attachment's link on this route table, or null. */
    find(er: ErClient, ref: AssociationRef, options: CallOptions): Promise<Link | null>;
  };
  /** The plan of a create or delete, from read-only look-ups. */
  plan(call: ToolCall, change: LinkChange, ref: AssociationRef): Promise<MadePlan>;
  /** That plan in words, for the person who approves it. */
  describe(tool: string, plan: MadePlan['plan']): string;
  /**
   * The API said "already exists" but no link is on the requested table: a kind whose attachment
   * can hold only one link of it (an association) says which table holds it. Null when nothing
   * more is known; may throw like any look-up.
   */
  existsElsewhere?(attempt: CreateAttempt, described: ToolError): Promise<WriteAnswer | null>;
  /** The words of the hints that differ by more than the noun, kept exactly as agents know them. */
  phrases: {
    /** "No association of this attachment ON this route table", "no propagation … INTO …". */
    toTable: 'on' | 'into';
    /** Subject of the answers about a link that is dying on the requested table. */
    theOneHere: string;
    /** "… is {beingRemoved}: wait with …" */
    beingRemoved: string;
    /** "… to see whether the {noun} {isRemoving}." after a cancelled delete. */
    isRemoving: string;
    /** "The API said {existsSaid}, but none is visible now" */
    existsSaid: string;
    /** "The API says {existsSays}, but looking it up failed" */
    existsSays: string;
    /** Where else to look when that look-up failed. */
    lookElsewhere: string;
  };
}

/** The arguments that name a link. */
export interface LinkTarget {
  er_id: string;
  route_table_id: string;
  attachment_id: string;
}

export function refOf(args: LinkTarget): AssociationRef {
  return { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
}

/** The IDs as tool arguments, for `next`/`undo` and error hints. */
export function idsOf(ref: AssociationRef): { er_id: string; route_table_id: string; attachment_id: string } {
  return { er_id: ref.erId, route_table_id: ref.routeTableId, attachment_id: ref.attachmentId };
}
