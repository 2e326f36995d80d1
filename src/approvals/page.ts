// The approval pages as HTML strings, nothing else: no I/O, no decisions. The plan page shows
// what the approval form shows (subjects, current state, a static route's change, conflicts,
// routing effect, the full text) and, while the plan is pending and the viewer may decide, the
// two buttons. No script anywhere.
import type { PlanView } from './desk.js';
import { documentOf, type Html, html } from './html.js';
import { conflictsSection, factsTable, routingEffectSection, staticRouteSection, subjectRows } from './plan-sections.js';
import { SCOPES } from '../scopes.js';

export interface PlanPageOptions {
  /** Who is looking: the approver's caller name. */
  viewer: string;
  /** False when the viewer lacks the scope to decide: the page says so instead of showing buttons. */
  canDecide: boolean;
  /** The form's CSRF token; null when the request's credential is not one a browser sends by itself. */
  csrfToken: string | null;
  /** Where the sign-out form posts, when the viewer has a browser session. */
  logoutAction?: string;
  /** Milliseconds since the epoch, for "expires in …". */
  now: number;
}

export function renderPlanPage(view: PlanView, options: PlanPageOptions): string {
  const pending = view.decision.status === 'pending';
  const body = html`${signedIn(options.viewer, options.logoutAction)}
<h1>${pending ? 'Approve this change?' : 'Change decided'} ${view.sandbox ? html`<span class="badge sandbox">sandbox</span>` : ''}</h1>
<p><code>${view.tool}</code> — requested by <strong>${view.requestedBy}</strong></p>
${factsTable([
  ['Tool', view.tool],
  ...subjectRows(view.plan),
  ['Requested by', view.requestedBy],
  ['Requested at', when(view.createdAt)],
  ['Expires', pending ? `${when(view.expiresAt)} (${untilExpiry(view.expiresAt, options.now)})` : null],
  ['Sandbox', view.sandbox ? 'yes: the change goes to the emulator, not to Huawei Cloud' : null],
  ['Plan id', html`<code>${view.id}</code>`],
  ['Plan SHA-256', html`<code>${view.sha256}</code>`],
])}
${staticRouteSection(view.plan)}
${conflictsSection(view.plan)}
${routingEffectSection(view.plan)}
<h2>The plan as the approval form shows it</h2>
<pre>${view.text}</pre>
<h2>Decision</h2>
${decisionPart(view, options)}`;
  return documentOf(`${pending ? 'Approve' : 'Decided'}: ${view.tool}`, body);
}

/** The answer to a decision: what was decided, by whom, on which plan. */
export function renderDecidedPage(view: PlanView): string {
  const body = html`<h1>${decisionLine(view)}</h1>
${factsTable([
  ['Tool', view.tool],
  ['Requested by', view.requestedBy],
  ['Plan id', html`<code>${view.id}</code>`],
  ['Plan SHA-256', html`<code>${view.sha256}</code>`],
])}
<p><a href="">Back to the plan</a></p>`;
  return documentOf(decisionLine(view), body);
}

export interface LoginPageOptions {
  /** Where the form posts. */
  action: string;
  /** The plan page to go back to after signing in (already checked to be one of ours). */
  next: string | null;
  /** Why the form is shown again (never quotes what was typed). */
  message?: string;
  /** The button that signs in at the authorization server, when the server offers that. */
  oidc?: { action: string; label: string };
}

export function renderLoginPage(options: LoginPageOptions): string {
  const next = options.next ? html`<input type="hidden" name="next" value="${options.next}">` : '';
  const body = html`<h1>Sign in to approve changes</h1>
${options.message ? html`<p class="conflict" role="alert">${options.message}</p>` : ''}
${options.oidc ? html`<form method="post" action="${options.oidc.action}">${next}<p><button type="submit">${options.oidc.label}</button></p></form>
<p class="muted">Or with a token:</p>` : ''}
<p>Paste the bearer token you use for this server. It is checked once and not kept: you get a browser session (at most 8 hours) instead.</p>
<form method="post" action="${options.action}">
<p><label>Token <input type="password" name="token" autocomplete="off" required size="48"></label></p>
${next}
<p><button type="submit">Sign in</button></p>
</form>`;
  return documentOf('Sign in', body);
}

export function renderSignedInPage(caller: string): string {
  return documentOf('Signed in', html`<h1>Signed in as ${caller}</h1><p>Open the approval link you were given to see the plan.</p>`);
}

/**
 * After a sign-in at the authorization server: the browser goes on to the plan page by itself. Not
 * by a redirect: the callback was a navigation another site started, and a browser does not send a
 * SameSite=Strict cookie on the redirects of such a navigation; this page's own refresh is same-site.
 */
export function renderContinuePage(caller: string, next: string): string {
  const body = html`<h1>Signed in as ${caller}</h1><p><a href="${next}">Continue to the plan</a></p>`;
  return documentOf('Signed in', body, html`<meta http-equiv="refresh" content="0; url=${next}">`);
}

export interface ProblemPageOptions {
  title: string;
  message: string;
  /** A link back to the plan page (the current URL) when there is one to go back to. */
  backToPlan?: boolean;
}

export function renderProblemPage(options: ProblemPageOptions): string {
  const body = html`<h1>${options.title}</h1><p>${options.message}</p>${options.backToPlan ? html`<p><a href="">Back to the plan</a></p>` : ''}`;
  return documentOf(options.title, body);
}

function decisionPart(view: PlanView, options: PlanPageOptions): Html {
  if (view.decision.status !== 'pending') return html`<p><span class="badge ${view.decision.status}">${decisionLine(view)}</span></p>`;
  if (!options.canDecide) {
    return html`<p><span class="badge pending">pending</span> You (${options.viewer}) lack ${SCOPES.approve}: you can see this plan but not approve or reject it.</p>`;
  }
  return html`<form method="post">
${options.csrfToken !== null ? html`<input type="hidden" name="csrf" value="${options.csrfToken}">` : ''}
<div class="actions"><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="reject" type="submit" name="decision" value="reject">Reject</button></div>
</form>`;
}

function decisionLine(view: PlanView): string {
  const d = view.decision;
  if (d.status === 'pending') return 'Pending';
  return `${d.status === 'approved' ? 'Approved' : 'Rejected'} by ${d.by} at ${when(d.at)} (via ${d.channel})`;
}

function signedIn(viewer: string, logoutAction: string | undefined): Html {
  const logout = logoutAction ? html` <form method="post" action="${logoutAction}"><button type="submit">Sign out</button></form>` : '';
  return html`<p class="signed-in muted">Signed in as <strong>${viewer}</strong>${logout}</p>`;
}

function when(ms: number): string {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC` : 'unknown';
}

function untilExpiry(expiresAt: number, now: number): string {
  const minutes = Math.round((expiresAt - now) / 60_000);
  if (expiresAt <= now) return 'expired';
  return minutes < 1 ? 'in less than a minute' : `in ${minutes} min`;
}
