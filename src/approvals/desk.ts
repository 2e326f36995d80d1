// What an approval page needs from the server: a plan to show, and a way to decide on it. The
// gate implements it over its plan book (the rules of who may decide live there); the stdio
// loopback page and the HTTP page both call it, so both pages and every channel decide alike.

/** A plan as a person sees it before deciding. */
export interface PlanView {
  /** Opaque, unguessable; also in the page's URL. */
  id: string;
  /** The write tool the plan is for, e.g. create_route_association. */
  tool: string;
  /** The plan in words, exactly as the approval form shows it; `sha256` is of this text. */
  text: string;
  sha256: string;
  /** The structured plan (router, route_table, attachment, conflicts, routing_effect, …). */
  plan: Record<string, unknown>;
  /** Who asked for the change (the audit's caller). */
  requestedBy: string;
  /** Epoch milliseconds. */
  createdAt: number;
  expiresAt: number;
  sandbox: boolean;
  decision: Decision;
}

export type Decision =
  | { status: 'pending' }
  | { status: 'approved' | 'rejected'; by: string; at: number; channel: ApprovalChannel };

/** How an approval reached the server: the client's form, a URL elicitation's page, the page itself. */
export type ApprovalChannel = 'form' | 'url' | 'page';

/** Who is deciding: the page's caller (stdio: the local user; HTTP: the token's caller and scopes). */
export interface Approver {
  caller: string;
  /** null on stdio, where the local user holds every scope. */
  scopes: readonly string[] | null;
}

export type DecideResult =
  | { ok: true; view: PlanView }
  | {
      ok: false;
      /** 404 unknown or expired; 403 not allowed to decide (scope, self-approval); 409 already decided otherwise; 503 the decision could not be recorded. */
      status: 403 | 404 | 409 | 503;
      code: 'PLAN_NOT_FOUND' | 'FORBIDDEN_SCOPE' | 'SELF_APPROVAL' | 'ALREADY_DECIDED' | 'AUDIT_UNAVAILABLE';
      message: string;
    };

export interface ApprovalDesk {
  /** The plan, or undefined when it is unknown or expired. */
  view(planId: string): PlanView | undefined;
  /** Approve or reject; deciding the same way twice answers ok (a double-click is no error). */
  decide(planId: string, decision: 'approve' | 'reject', approver: Approver, channel: ApprovalChannel): DecideResult;
}
