// Associations and propagations link an attachment and a route table; a static route links a
// destination in a route table to a next hop. Their tools keep one contract: an idempotent create
// that converges on what really happened, its undo, and a wait for a state. A LinkKind names what
// differs (the noun, what names one, the ER calls, the error codes, the tools a hint points at, a
// few words of the hints), so that contract is written once, in the files beside this one.
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

/** `R` is what names one link in the calls: the three IDs of an association, a route's table and destination. */
export interface LinkKind<R = AssociationRef> {
  /** The word the results and hints use; also the result field that carries the link. */
  noun: 'association' | 'propagation' | 'route';
  /** The create result's field that says the link was there before the call. */
  alreadyField: 'already_associated' | 'already_propagating' | 'already_present';
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
  /** What a call is about, from its checked arguments. */
  refOf(args: Readonly<Record<string, unknown>>): R;
  /** The arguments that name it: for `next` and `undo`, error hints and the check after a change. */
  idsOf(ref: R): Record<string, string>;
  api: {
    create(er: ErClient, ref: R, clientToken: string, options: CallOptions): Promise<CreatedLink>;
    /**
     * A kind that looks its link up before the delete says so, without sending anything, when
     * there is nothing to remove (`absent`) or it is on its way out already (`deleting`).
     */
    remove(er: ErClient, ref: R, options: CallOptions): Promise<WriteResult | 'absent' | 'deleting'>;
    /** The link this ref names, or null. */
    find(er: ErClient, ref: R, options: CallOptions): Promise<Link | null>;
  };
  /** The plan of a create or delete, from read-only look-ups. */
  plan(call: ToolCall, change: LinkChange, ref: R): Promise<MadePlan>;
  /** That plan in words, for the person who approves it. */
  describe(tool: string, plan: MadePlan['plan']): string;
  /**
   * The API said "already exists" but no link is on the requested table: a kind whose attachment
   * can hold only one link of it (an association) says which table holds it. Null when nothing
   * more is known; may throw like any look-up.
   */
  existsElsewhere?(attempt: CreateAttempt<R>, described: ToolError): Promise<WriteAnswer | null>;
  /** The words of the hints that differ by more than the noun, kept exactly as agents know them. */
  phrases: {
    /** What a wait for "available" answers when none appeared: "No association of this attachment on this route table". */
    noneHere: string;
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

/** An association's or a propagation's ref, from the arguments its tools' schemas have checked. */
export function linkRefOf(args: Readonly<Record<string, unknown>>): AssociationRef {
  return { erId: argument(args, 'er_id'), routeTableId: argument(args, 'route_table_id'), attachmentId: argument(args, 'attachment_id') };
}

/** A string argument the input schema required; its absence here is a bug, never a request. */
export function argument(args: Readonly<Record<string, unknown>>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw new TypeError(`${name} reached a link step without its value`);
  return value;
}

/** The IDs as tool arguments, for `next`/`undo` and error hints. */
export function linkIdsOf(ref: AssociationRef): { er_id: string; route_table_id: string; attachment_id: string } {
  return { er_id: ref.erId, route_table_id: ref.routeTableId, attachment_id: ref.attachmentId };
}
