// What the approval page tests share: plan views shaped like the dry-run plans (association and
// propagation), an ApprovalDesk over a Map with the gate's rules in miniature (scope, no
// self-approval, one decision), and a plain HTTP client that lets a test set any header.
import { request } from 'node:http';
import type { ApprovalChannel, ApprovalDesk, Approver, DecideResult, PlanView } from '../../src/approvals/desk.js';

export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

export const associationPlan = {
  action: 'associate',
  region: 'ap-southeast-3',
  project_id: 'proj-0123',
  router: { id: 'er-core-1', name: 'core-router', state: 'available' },
  route_table: { id: 'rtb-prod', name: 'prod-table', state: 'available' },
  attachment: { id: 'att-pay', name: 'payments-vpc', resource_type: 'vpc', resource_id: 'vpc-9f3a', state: 'available' },
  current_association: { route_table_id: 'rtb-default', state: 'available' },
  conflicts: [{ kind: 'associated_elsewhere', message: 'Attachment att-pay is already associated with route table rtb-default' }],
  will_change: false,
  routing_effect: {
    route_table_before: 'rtb-default',
    route_table_after: 'rtb-prod',
    added: { count: 25, entries: [{ destination: '10.20.0.0/16', route_type: 'propagation', next_hops: [{ attachment_id: 'att-db', resource_type: 'vpc' }] }] },
    removed: { count: 1, entries: [{ destination: '172.16.0.0/12', route_type: 'static', next_hops: [], blackhole: true }] },
    changed: {
      count: 1,
      entries: [{ destination: '192.168.7.0/24', before: [{ attachment_id: 'att-vpn-old', resource_type: 'vpn' }], after: [{ attachment_id: 'att-gw-new', resource_type: 'vgw' }] }],
    },
    unchanged: 7,
    blackholed_after: { count: 1, entries: ['172.16.0.0/12'] },
    complete: true,
  },
};

export const propagationPlan = {
  action: 'enable_propagation',
  region: 'ap-southeast-3',
  project_id: 'proj-0123',
  router: { id: 'er-core-1', name: 'core-router', state: 'available' },
  route_table: { id: 'rtb-prod', name: 'prod-table', state: 'available' },
  attachment: { id: 'att-pay', name: 'payments-vpc', resource_type: 'vpc', resource_id: 'vpc-9f3a', state: 'available' },
  current_propagation: null,
  conflicts: [],
  will_change: true,
  routing_effect: {
    route_table_id: 'rtb-prod',
    prefixes_known: true,
    prefixes: { count: 2, entries: ['10.30.0.0/16', '10.31.0.0/16'] },
    appear: { count: 1, entries: [{ destination: '10.31.0.0/16', route_type: 'propagation', next_hops: [{ attachment_id: 'att-pay', resource_type: 'vpc' }] }] },
    disappear: { count: 1, entries: [{ destination: '10.99.0.0/16', route_type: 'propagation', next_hops: [{ attachment_id: 'att-gone', resource_type: 'vpc' }] }] },
    changed: { count: 1, entries: [{ destination: '10.32.0.0/16', before: [{ attachment_id: 'att-a', resource_type: 'vpc' }], after: [{ attachment_id: 'att-b', resource_type: 'vpn' }] }] },
    conflicts: {
      count: 1,
      entries: [{ kind: 'static_route', destination: '10.30.0.0/16', route_destination: '10.30.0.0/16', message: 'A static route to 10.30.0.0/16 wins over the propagated one' }],
    },
    notes: ['Prefixes learned from route table rtb-dev'],
    complete: false,
  },
};

/** A blackhole in front of a propagated route: the traffic of the table's two attachments changes. */
export const staticRoutePlan = {
  action: 'create_static_route',
  region: 'ap-southeast-3',
  project_id: 'proj-0123',
  router: { id: 'er-core-1', name: 'core-router', state: 'available' },
  route_table: { id: 'rtb-prod', name: 'prod-table', state: 'available' },
  destination: '10.30.0.0/16',
  next_hop: { is_blackhole: true, attachment: null },
  current_route: null,
  conflicts: [],
  will_change: true,
  routing_effect: {
    route_table_id: 'rtb-prod',
    destination: '10.30.0.0/16',
    used_before: { destination: '10.30.0.0/16', route_type: 'propagation', next_hops: [{ attachment_id: 'att-analytics', resource_type: 'vpc' }] },
    used_after: { destination: '10.30.0.0/16', route_type: 'static', next_hops: [], blackhole: true },
    gains: { count: 0, entries: [] },
    loses: { count: 0, entries: [] },
    changes: { count: 1, entries: [{ destination: '10.30.0.0/16', before: [{ attachment_id: 'att-analytics', resource_type: 'vpc' }], after: [] }] },
    more_specific: { count: 1, entries: [{ destination: '10.30.5.0/24', route_type: 'static', next_hops: [{ attachment_id: 'att-fw', resource_type: 'vpc' }] }] },
    traffic_changes: true,
    attachments_affected: { count: 2, entries: [{ attachment_id: 'att-pay', resource_type: 'vpc' }, { attachment_id: 'att-web', resource_type: 'vpc' }] },
    notes: [],
    complete: true,
  },
};

export function planView(overrides: Partial<PlanView> = {}): PlanView {
  return {
    id: 'plan-7Hq2xY',
    tool: 'create_route_association',
    text: 'create_route_association asks to ASSOCIATE an attachment with a route table.\nRouter: core-router (er-core-1)',
    sha256: 'a'.repeat(64),
    plan: associationPlan,
    requestedBy: 'token:alice',
    createdAt: NOW - 60_000,
    expiresAt: NOW + 9 * 60_000,
    sandbox: false,
    decision: { status: 'pending' },
    ...overrides,
  };
}

const HOSTILE = '<script>alert(1)</script>';

/** A plan whose every name from the cloud, and its requester, try to inject markup. */
export function hostileView(id = 'plan-hostile'): PlanView {
  return planView({
    id,
    requestedBy: `"><img src=x onerror=alert(1)>`,
    text: `Router: ${HOSTILE}`,
    plan: {
      ...associationPlan,
      router: { id: 'er-core-1', name: HOSTILE, state: HOSTILE },
      route_table: { id: 'rtb-prod', name: `${HOSTILE}table`, state: 'available' },
      attachment: { id: 'att-pay', name: `</td>${HOSTILE}`, resource_type: HOSTILE, resource_id: HOSTILE, state: 'available' },
      conflicts: [{ kind: HOSTILE, message: `conflict ${HOSTILE}` }],
      routing_effect: {
        ...associationPlan.routing_effect,
        added: { count: 1, entries: [{ destination: HOSTILE, route_type: HOSTILE, next_hops: [{ attachment_id: HOSTILE, resource_type: HOSTILE }] }] },
      },
    },
  });
}

export interface DecideCall {
  planId: string;
  decision: 'approve' | 'reject';
  approver: Approver;
  channel: ApprovalChannel;
}

/** The gate's rules in miniature, over a Map; every decide() is recorded. */
export class MapDesk implements ApprovalDesk {
  readonly plans = new Map<string, PlanView>();
  readonly calls: DecideCall[] = [];
  viewed = 0;

  add(view: PlanView): PlanView {
    this.plans.set(view.id, view);
    return view;
  }

  view(planId: string): PlanView | undefined {
    this.viewed++;
    return this.plans.get(planId);
  }

  decide(planId: string, decision: 'approve' | 'reject', approver: Approver, channel: ApprovalChannel): DecideResult {
    this.calls.push({ planId, decision, approver, channel });
    const view = this.plans.get(planId);
    if (!view) return { ok: false, status: 404, code: 'PLAN_NOT_FOUND', message: 'No such plan' };
    if (approver.scopes && !approver.scopes.includes('er:approve')) return { ok: false, status: 403, code: 'FORBIDDEN_SCOPE', message: 'needs er:approve' };
    if (approver.caller === view.requestedBy) return { ok: false, status: 403, code: 'SELF_APPROVAL', message: 'You cannot approve your own plan' };
    const status = decision === 'approve' ? 'approved' : 'rejected';
    if (view.decision.status !== 'pending') {
      return view.decision.status === status ? { ok: true, view } : { ok: false, status: 409, code: 'ALREADY_DECIDED', message: `Already ${view.decision.status}` };
    }
    const decided: PlanView = { ...view, decision: { status, by: approver.caller, at: NOW, channel } };
    this.plans.set(planId, decided);
    return { ok: true, view: decided };
  }
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (Host and Origin included), on a fresh connection. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Requests to one server that keep every answer, to check afterwards that no token came back in any. */
export function recordingClient(origin: string): { answers: Answer[]; request(path: string, options?: Parameters<typeof send>[1]): Promise<Answer> } {
  const answers: Answer[] = [];
  return {
    answers,
    async request(path, options) {
      const answer = await send(`${origin}${path}`, options);
      answers.push(answer);
      return answer;
    },
  };
}

/** The hidden CSRF field of a plan page's form. */
export function csrfIn(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('the page has no CSRF field');
  return match[1]!;
}

export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
export const FORM = 'application/x-www-form-urlencoded';

export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};
