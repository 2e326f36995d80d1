// The approval pages as HTML: everything the approval form says is on the plan page, hostile
// names stay text, the buttons appear only while a viewer may decide, and odd plans still render.
import { describe, expect, it } from 'vitest';
import { renderDecidedPage, renderLoginPage, renderPlanPage, renderProblemPage } from '../../src/approvals/page.js';
import { hostileView, NOW, planView, propagationPlan, staticRoutePlan } from './fixtures.js';

const canDecide = { viewer: 'token:bob', canDecide: true, csrfToken: 'csrf-token-1', now: NOW };

describe('the plan page of an association', () => {
  const page = renderPlanPage(planView({ sandbox: true }), canDecide);

  it('names the tool, the router, route table and attachment with their ids and states, and where it is associated now', () => {
    for (const text of ['create_route_association', 'core-router', 'er-core-1', 'prod-table', 'rtb-prod', 'payments-vpc', 'att-pay', 'vpc vpc-9f3a', 'ap-southeast-3', 'proj-0123']) {
      expect(page).toContain(text);
    }
    expect(page).toContain('associated with route table rtb-default (available)');
  });

  it('shows the routing effect: tables before and after, added, removed (blackhole), changed next hops, blackholed, unchanged', () => {
    expect(page).toMatch(/Lookups move from <code>rtb-default<\/code> to <strong>prod-table<\/strong> <code>rtb-prod<\/code>/);
    expect(page).toContain('Reachable after (added): 25 <span class="muted">(the first 1 of 25)</span>');
    expect(page).toMatch(/<code>10\.20\.0\.0\/16<\/code><\/td><td>propagation<\/td><td><code>att-db<\/code> \(vpc\)/);
    expect(page).toMatch(/<code>172\.16\.0\.0\/12<\/code><\/td><td>static<\/td><td><strong>blackhole<\/strong>/);
    expect(page).toMatch(/<code>192\.168\.7\.0\/24<\/code><\/td><td><code>att-vpn-old<\/code> \(vpn\)<\/td><td><code>att-gw-new<\/code> \(vgw\)/);
    expect(page).toContain('Blackholed in the table after the change: 1');
    expect(page).toContain('7 destination(s) stay unchanged');
  });

  it("shows the plan's conflicts, requester, expiry, sandbox, sha256 and full text", () => {
    expect(page).toContain('Conflicts (1)');
    expect(page).toContain('Attachment att-pay is already associated with route table rtb-default');
    expect(page).toContain('<strong>token:alice</strong>');
    expect(page).toContain('2025-06-01 12:09:00 UTC (in 9 min)');
    expect(page).toContain('sandbox');
    expect(page).toContain('a'.repeat(64));
    expect(page).toContain('<pre>create_route_association asks to ASSOCIATE an attachment with a route table.\nRouter: core-router (er-core-1)</pre>');
  });

  it('ends with a POST form: approve and reject buttons and the CSRF token, and no script anywhere', () => {
    expect(page).toContain('<form method="post">');
    expect(page).toContain('name="decision" value="approve"');
    expect(page).toContain('name="decision" value="reject"');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-1">');
    expect(page).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
  });
});

describe('the plan page of a propagation', () => {
  const page = renderPlanPage(planView({ tool: 'create_route_propagation', plan: propagationPlan }), canDecide);

  it('shows prefixes, appearing, disappearing and changed destinations, routing conflicts, notes, and that it is partial', () => {
    expect(page).toContain('not propagating into this route table');
    expect(page).toContain('Prefixes of the attachment: 2');
    expect(page).toContain('<code>10.30.0.0/16</code>, <code>10.31.0.0/16</code>');
    expect(page).toMatch(/Destinations that appear: 1.*<code>10\.31\.0\.0\/16<\/code>/s);
    expect(page).toMatch(/Destinations that disappear: 1.*<code>10\.99\.0\.0\/16<\/code>/s);
    expect(page).toMatch(/<code>10\.32\.0\.0\/16<\/code><\/td><td><code>att-a<\/code> \(vpc\)<\/td><td><code>att-b<\/code> \(vpn\)/);
    expect(page).toMatch(/<code>static_route<\/code><\/td><td><code>10\.30\.0\.0\/16<\/code>.*A static route to 10\.30\.0\.0\/16 wins over the propagated one/);
    expect(page).toContain('<li>Prefixes learned from route table rtb-dev</li>');
    expect(page).toContain('Computed on part of the routes only');
  });

  it('says the prefixes are unknown when the plan could not learn them', () => {
    const unknown = { ...propagationPlan, routing_effect: { ...propagationPlan.routing_effect, prefixes_known: false, prefixes: { count: 0, entries: [] } } };
    expect(renderPlanPage(planView({ plan: unknown }), canDecide)).toContain('<strong>Prefixes:</strong> unknown');
  });

  it('gives the note when there is no routing effect', () => {
    const page = renderPlanPage(planView({ plan: { ...propagationPlan, routing_effect: null, routing_effect_note: 'reading effective routes failed: ER.0001 (HTTP 500)' } }), canDecide);
    expect(page).toContain('<h2>Routing effect</h2><p>Unknown: reading effective routes failed: ER.0001 (HTTP 500).</p>');
  });
});

describe('the plan page of a static route', () => {
  const page = renderPlanPage(planView({ tool: 'create_static_route', plan: staticRoutePlan }), canDecide);

  it('names the destination, the next hop (a blackhole) and the route the table has now', () => {
    expect(page).toMatch(/<th scope="row">Destination<\/th><td><code>10\.30\.0\.0\/16<\/code>/);
    expect(page).toMatch(/<th scope="row">Next hop<\/th><td><strong>blackhole<\/strong>: traffic to the destination is dropped/);
    expect(page).toContain('no static route to this destination');
    const withRoute = renderPlanPage(planView({ plan: { ...staticRoutePlan, current_route: { id: 's-1', state: 'available', is_blackhole: false, attachment_id: 'att-fw', description: null } } }), canDecide);
    expect(withRoute).toContain('a static route to this destination goes via att-fw (available)');
  });

  it('shows where traffic to the destination goes now and after, whose traffic changes, and the routes that keep theirs', () => {
    expect(page).not.toContain('Lookups move');
    expect(page).toMatch(
      /traffic to <code>10\.30\.0\.0\/16<\/code> goes via <code>att-analytics<\/code> \(vpc\) \(propagation <code>10\.30\.0\.0\/16<\/code>\) now, and <strong>dropped<\/strong> by the blackhole route <code>10\.30\.0\.0\/16<\/code> after the change/,
    );
    expect(page).toContain('Attachments whose traffic to it changes (associated with the table): 2');
    expect(page).toContain('<code>att-pay</code> (vpc), <code>att-web</code> (vpc)');
    expect(page).toMatch(/Destinations through other next hops: 1.*<code>att-analytics<\/code> \(vpc\)<\/td><td>—/s);
    expect(page).toMatch(/More specific routes that keep their own next hops: 1.*<code>10\.30\.5\.0\/24<\/code>/s);
  });

  it('says when there was no route, and that nobody\'s traffic changes', () => {
    const effect = { ...staticRoutePlan.routing_effect, used_before: null, traffic_changes: false, attachments_affected: { count: 0, entries: [] } };
    const quiet = renderPlanPage(planView({ plan: { ...staticRoutePlan, routing_effect: effect } }), canDecide);
    expect(quiet).toContain('goes nowhere: <strong>no route</strong> (dropped) now');
    expect(quiet).toContain("no attachment's traffic changes");
    expect(quiet).not.toContain('Attachments whose traffic');
  });
});

describe('escaping', () => {
  it('shows hostile names, conflicts, destinations, requester and text as text, never as markup', () => {
    const page = renderPlanPage(hostileView(), canDecide);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;/td&gt;&lt;script&gt;');
    // Every occurrence is escaped: the hostile string shows as often as the plan holds it.
    expect(page.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1).toBeGreaterThanOrEqual(10);
  });

  it('escapes the login page’s next path and message', () => {
    const page = renderLoginPage({ action: '/approvals/login', next: '/approvals/"><script>', message: '<b>no</b>' });
    expect(page).toContain('value="/approvals/&quot;&gt;&lt;script&gt;"');
    expect(page).toContain('&lt;b&gt;no&lt;/b&gt;');
    expect(page).toContain('type="password" name="token"');
  });

  it('escapes the problem page', () => {
    expect(renderProblemPage({ title: 'Not found', message: '<script>x</script>' })).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('what the decision part shows', () => {
  it('a viewer without er:approve sees why, and no buttons', () => {
    const page = renderPlanPage(planView(), { ...canDecide, viewer: 'token:reader', canDecide: false });
    expect(page).toContain('You (token:reader) lack er:approve');
    expect(page).not.toContain('<form method="post">');
    expect(page).not.toContain('name="decision"');
  });

  it('a decided plan shows the decision and no buttons', () => {
    const view = planView({ decision: { status: 'rejected', by: 'token:bob', at: NOW, channel: 'page' } });
    const page = renderPlanPage(view, canDecide);
    expect(page).toContain('Rejected by token:bob at 2025-06-01 12:00:00 UTC (via page)');
    expect(page).not.toContain('name="decision"');
    expect(renderDecidedPage(view)).toContain('<h1>Rejected by token:bob at 2025-06-01 12:00:00 UTC (via page)</h1>');
  });

  it('a bearer caller’s page has the buttons but no CSRF field', () => {
    const page = renderPlanPage(planView(), { ...canDecide, csrfToken: null });
    expect(page).toContain('name="decision" value="approve"');
    expect(page).not.toContain('name="csrf"');
  });
});

describe('plans of an unexpected shape', () => {
  it('render without failing, leaving out what they lack', () => {
    const odd = [
      {},
      { router: 5, route_table: null, attachment: 'x', conflicts: 'none', routing_effect: { added: 'y', removed: { count: 'z', entries: 3 } } },
      { conflicts: [null, 1, { kind: 2 }], routing_effect: { appear: { count: 1, entries: [null, 'x', { next_hops: [null] }] }, notes: [1, null] } },
    ];
    for (const plan of odd) {
      const page = renderPlanPage(planView({ plan }), canDecide);
      expect(page).toContain('<h2>Routing effect</h2>');
      expect(page).toContain('name="decision" value="approve"');
    }
  });
});
