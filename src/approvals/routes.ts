// The plan page, whichever server hosts it: GET shows a plan, POST decides on it. The host has
// already found out who is asking (the stdio user, a bearer token, a browser session) and says
// how that caller's forms are protected; this file does the rest the same way for both hosts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { SCOPES } from '../scopes.js';
import type { ApprovalDesk, Approver, PlanView } from './desk.js';
import { readForm } from './form-body.js';
import { renderDecidedPage, renderPlanPage } from './page.js';
import { type Problem, sendHtml, sendPageJson, sendProblem, wantsJson } from './page-answers.js';
import { crossSiteRefusal } from './same-origin.js';

/** CSRF tokens bound to one caller's credential; each plan's form has its own. */
export interface CsrfBinding {
  tokenFor(planId: string): string;
  verify(planId: string, token: string | undefined): boolean;
}

/** Who is asking, as the host found out. */
export interface PageCaller {
  approver: Approver;
  /**
   * For a credential the browser sends by itself (a cookie, the key in a loopback URL): every POST
   * must carry the form's token. Null for a bearer header, which no other site can make a browser send.
   */
  csrf: CsrfBinding | null;
  /** Where the sign-out form posts, for a browser session. */
  logoutAction?: string;
}

/** Where the request is answered from, to tell the page's own POSTs from another site's. */
export interface PageRequest {
  planId: string;
  caller: PageCaller;
  ownOrigin: string;
}

export interface PlanRoutesOptions {
  desk: ApprovalDesk;
  log: Logger;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

export class PlanRoutes {
  private readonly now: () => number;

  constructor(private readonly options: PlanRoutesOptions) {
    this.now = options.now ?? Date.now;
  }

  async handle(req: IncomingMessage, res: ServerResponse, request: PageRequest): Promise<void> {
    if (req.method === 'GET') return this.show(req, res, request);
    if (req.method === 'POST') return this.decide(req, res, request);
    sendProblem(res, wantsJson(req), { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Use GET to see the plan, POST to decide', headers: { allow: 'GET, POST' } });
  }

  private show(req: IncomingMessage, res: ServerResponse, { planId, caller }: PageRequest): void {
    const view = this.options.desk.view(planId);
    if (!view) return sendProblem(res, wantsJson(req), notFound());
    const canDecide = mayDecide(caller.approver);
    if (wantsJson(req)) return sendPageJson(res, 200, { ...decisionJson(view), ...detailsJson(view), can_decide: canDecide });
    const page = renderPlanPage(view, {
      viewer: caller.approver.caller,
      canDecide,
      csrfToken: caller.csrf ? caller.csrf.tokenFor(planId) : null,
      ...(caller.logoutAction ? { logoutAction: caller.logoutAction } : {}),
      now: this.now(),
    });
    sendHtml(res, 200, page);
  }

  private async decide(req: IncomingMessage, res: ServerResponse, { planId, caller, ownOrigin }: PageRequest): Promise<void> {
    const crossSite = crossSiteRefusal(req.headers, ownOrigin);
    if (crossSite) {
      this.options.log.warn({ plan_id: planId, caller: caller.approver.caller, reason: crossSite }, 'refused an approval page POST');
      return sendProblem(res, wantsJson(req), { status: 403, code: 'CROSS_SITE', message: crossSite });
    }
    const form = await readForm(req);
    const json = form.json || wantsJson(req);
    if (!form.ok) return sendProblem(res, json, { status: form.status, code: form.code, message: form.message });
    // The token is checked before anything else in the body is looked at. A body sent as
    // application/json needs none: a browser sends that cross-site only after a CORS preflight,
    // which these pages never grant (OPTIONS is refused), so scripts can decide with JSON.
    if (caller.csrf && !sentAsJson(req) && !caller.csrf.verify(planId, form.fields.get('csrf'))) {
      this.options.log.warn({ plan_id: planId, caller: caller.approver.caller }, 'refused an approval page POST without a valid CSRF token');
      return sendProblem(res, json, { status: 403, code: 'CSRF_INVALID', message: 'The form is stale or did not come from this page: open the plan again and decide there', backToPlan: true });
    }
    const decision = form.fields.get('decision');
    if (decision !== 'approve' && decision !== 'reject') {
      return sendProblem(res, json, { status: 400, code: 'BAD_DECISION', message: 'decision must be "approve" or "reject"', backToPlan: true });
    }
    // The desk refuses too; the page does not rely on every desk doing so.
    if (!mayDecide(caller.approver)) {
      return sendProblem(res, json, { status: 403, code: 'FORBIDDEN_SCOPE', message: `Deciding needs the ${SCOPES.approve} scope`, backToPlan: true });
    }
    const result = this.options.desk.decide(planId, decision, caller.approver, 'page');
    this.options.log.info({ plan_id: planId, caller: caller.approver.caller, decision, result: result.ok ? result.view.decision.status : result.code }, 'approval page decision');
    if (!result.ok) return sendProblem(res, json, { status: result.status, code: result.code, message: result.message, backToPlan: result.status !== 404 });
    if (json) return sendPageJson(res, 200, decisionJson(result.view));
    sendHtml(res, 200, renderDecidedPage(result.view));
  }
}

/** The plan id in the path segment after /approvals/, or undefined when it cannot be one. */
export function planIdIn(segment: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return id !== '' && !id.includes('/') ? id : undefined;
}

function mayDecide(approver: Approver): boolean {
  return approver.scopes === null || approver.scopes.includes(SCOPES.approve);
}

function notFound(): Problem {
  return { status: 404, code: 'PLAN_NOT_FOUND', message: 'There is no such plan, or it has expired' };
}

function decisionJson(view: PlanView) {
  const d = view.decision;
  return {
    plan_id: view.id,
    status: d.status,
    decided_by: d.status === 'pending' ? null : d.by,
    decided_at: d.status === 'pending' ? null : new Date(d.at).toISOString(),
    channel: d.status === 'pending' ? null : d.channel,
    sha256: view.sha256,
  };
}

function detailsJson(view: PlanView) {
  return {
    tool: view.tool,
    requested_by: view.requestedBy,
    created_at: new Date(view.createdAt).toISOString(),
    expires_at: new Date(view.expiresAt).toISOString(),
    sandbox: view.sandbox,
    text: view.text,
    plan: view.plan,
  };
}

function sentAsJson(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}
