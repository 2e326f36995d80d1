// The approval pages as HTML: everything the approval form says is on the plan page (static
// routes included: where the route sends traffic, and where traffic goes before and after), hostile
// names stay text, the buttons appear only while a viewer may decide, and odd plans still render.
import { describe, expect, it } from 'vitest';
import { renderDecidedPage, renderLoginPage, renderPlanPage, renderProblemPage } from '../../src/approvals/page.js';
import {
  hostileStaticRouteView,
  hostileView,
  NOW,
  planView,
  propagationPlan,
  staticRouteBlackholePlan,
  staticRouteCreatePlan,
  staticRouteDeletePlan,
} from './fixtures.js';

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

/** The part of a page between one h2 and the next (or the end). */
function section(page: string, heading: string): string {
  const match = new RegExp(`<h2[^>]*>${heading.replace(/[()]/g, '\\$&')}</h2>`).exec(page);
  expect(match, `no section ${heading}`).not.toBeNull();
  const start = match!.index;
  const end = page.indexOf('<h2', start + 4);
  return page.slice(start, end === -1 ? undefined : end);
}

describe('the plan page of a static route', () => {
  it('create: the destination, the attachment the route sends traffic to, no route there now, and no Unknown effect', () => {
    const page = renderPlanPage(planView({ tool: 'create_static_route', plan: staticRouteCreatePlan }), canDecide);
    expect(page).toContain('<tr><th scope="row">Destination</th><td><code>0.0.0.0/0</code></td></tr>');
    expect(page).toContain('<tr><th scope="row">Next hop</th><td><strong>firewall-gw</strong> <code>att-fw</code> <span class="muted">(available)</span> <span class="muted">vgw vgw-77aa</span></td></tr>');
    expect(page).toContain('<tr><th scope="row">Now</th><td>no static route to 0.0.0.0/0</td></tr>');
    const route = section(page, 'Static route');
    expect(route).toContain('<strong>Adds</strong> a static route to <code>0.0.0.0/0</code> that sends traffic to <strong>firewall-gw</strong> <code>att-fw</code>');
    expect(route).toContain('The route table has <strong>no static route</strong> to <code>0.0.0.0/0</code> now.');
    expect(route).toContain('The new route’s description: everything leaves through the firewall');
    expect(route).not.toContain('BLACKHOLE');
    expect(section(page, 'Conflicts')).toContain('None: nothing stands in the way');
  });

  it('create: where traffic to the destination goes before and after, whose traffic, and the more specific routes left alone', () => {
    const effect = section(renderPlanPage(planView({ tool: 'create_static_route', plan: staticRouteCreatePlan }), canDecide), 'Routing effect');
    expect(effect).not.toContain('Unknown');
    expect(effect).not.toContain('Lookups move');
    expect(effect).toContain('On route table <strong>prod-table</strong> <code>rtb-prod</code>, for every attachment associated with it.');
    expect(effect).toContain('<tr><th scope="row">Before</th><td>none</td><td><strong>no route</strong> (dropped)</td></tr>');
    expect(effect).toContain('<tr><th scope="row">After</th><td><code>0.0.0.0/0</code> (static)</td><td><strong>firewall-gw</strong> <code>att-fw</code> (vgw)</td></tr>');
    expect(effect).toContain('<strong>Traffic to <code>0.0.0.0/0</code> goes elsewhere afterwards.</strong>');
    expect(effect).toContain('Attachments affected (associated with this route table): 2</h3>');
    expect(effect).toMatch(/<tr><td><code>att-pay<\/code><\/td><td>vpc<\/td><\/tr><tr><td><code>att-web<\/code><\/td><td>vpc<\/td><\/tr>/);
    expect(effect).toContain('Routes the table gains: 1');
    // Empty lists say nothing the before-and-after table does not.
    expect(effect).not.toContain('Routes the table loses');
    expect(effect).not.toContain('through other next hops');
    expect(effect).toContain(
      'More specific routes that keep their own next hops (traffic to them is not affected): 3 <span class="muted">(the first 2 of 3)</span>',
    );
    expect(effect).toMatch(/<code>10\.20\.0\.0\/16<\/code><\/td><td>propagation<\/td><td><code>att-web<\/code> \(vpc\)/);
    expect(effect).toMatch(/<code>10\.30\.0\.0\/16<\/code><\/td><td>static<\/td><td><strong>blackhole<\/strong> \(dropped\)/);
    expect(effect).not.toContain('Computed on part of the routes only');
  });

  it('create of a blackhole: says BLACKHOLE plainly, shows the static route in the way and its conflict, and that the effect is partial', () => {
    const page = renderPlanPage(planView({ tool: 'create_static_route', plan: staticRouteBlackholePlan }), canDecide);
    expect(page).toContain('<tr><th scope="row">Next hop</th><td><strong class="conflict">BLACKHOLE</strong>: traffic is dropped</td></tr>');
    expect(page).toContain('<tr><th scope="row">Now</th><td>a static route to 10.20.0.0/16: via att-web (available)</td></tr>');
    const route = section(page, 'Static route');
    expect(route).toContain('a static route to <code>10.20.0.0/16</code> that is a <strong class="conflict">BLACKHOLE</strong>: traffic to <code>10.20.0.0/16</code> is dropped.');
    expect(route).toContain('<td><code>route-0042</code></td><td>available</td><td><code>att-web</code></td><td>to the web tier</td>');
    expect(section(page, 'Conflicts (1)')).toContain('<code>static_route_exists</code>: Route table rtb-prod already has a static route to 10.20.0.0/16');
    const effect = section(page, 'Routing effect');
    expect(effect).toContain('<tr><th scope="row">Before</th><td><code>10.20.0.0/16</code> (static)</td><td><code>att-web</code> (vpc)</td></tr>');
    expect(effect).toContain('<tr><th scope="row">After</th><td><code>10.20.0.0/16</code> (static)</td><td><strong class="conflict">BLACKHOLE</strong> (dropped)</td></tr>');
    expect(effect).toMatch(/<code>10\.20\.0\.0\/16<\/code><\/td><td><code>att-web<\/code> \(vpc\)<\/td><td>none: dropped<\/td>/);
    expect(effect).toContain('More specific routes that keep their own next hops (traffic to them is not affected): 0');
    expect(effect).toContain('Computed on part of the routes only');
  });

  it('delete: the route removed and its description, where traffic falls back to, whose, and the note on a hidden propagated route', () => {
    const page = renderPlanPage(planView({ tool: 'delete_static_route', plan: staticRouteDeletePlan }), canDecide);
    expect(page).not.toContain('<th scope="row">Next hop</th>');
    const route = section(page, 'Static route');
    expect(route).toContain('<strong>Deletes</strong> the static route to <code>10.10.99.0/24</code>.');
    expect(route).toContain('<td><code>route-0099</code></td><td>available</td><td><code>att-web</code></td><td>HSM subnet</td>');
    const effect = section(page, 'Routing effect');
    expect(effect).toContain('<tr><th scope="row">Before</th><td><code>10.10.99.0/24</code> (static)</td><td><code>att-web</code> (vpc)</td></tr>');
    expect(effect).toContain('<tr><th scope="row">After</th><td><code>10.10.0.0/16</code> (propagation)</td><td><code>att-pay</code> (vpc)</td></tr>');
    expect(effect).toContain('Attachments affected (associated with this route table): 1');
    expect(effect).toContain('Routes the table loses: 1');
    expect(effect).toContain('<h3>Notes</h3><ul><li>A propagated route to exactly 10.10.99.0/24, hidden behind this static route, would take over after the delete.</li></ul>');
  });

  it('a plan with no routing effect gives its note; a blackhole route in the table now says so', () => {
    const plan = {
      ...staticRouteCreatePlan,
      current_route: { id: 'route-7', state: 'pending', is_blackhole: true, attachment_id: null, description: null },
      routing_effect: null,
      routing_effect_note: 'no change: the table already has this static route',
    };
    const page = renderPlanPage(planView({ tool: 'create_static_route', plan }), canDecide);
    expect(page).toContain('<h2>Routing effect</h2><p>Unknown: no change: the table already has this static route.</p>');
    expect(page).toContain('a static route to 0.0.0.0/0: a BLACKHOLE (traffic is dropped) (pending)');
    expect(section(page, 'Static route')).toContain('<td><strong class="conflict">BLACKHOLE</strong> (dropped)</td><td><span class="muted">none</span></td>');
  });

  it('other plans get no static-route section', () => {
    expect(renderPlanPage(planView(), canDecide)).not.toContain('<h2>Static route</h2>');
    expect(renderPlanPage(planView({ plan: propagationPlan }), canDecide)).not.toContain('<h2>Static route</h2>');
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

  it('shows a static route’s hostile destination, description, route, attachment names and notes as text', () => {
    const page = renderPlanPage(hostileStaticRouteView(), canDecide);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    // No tag carries an event handler (the escaped description holds one as text).
    expect(page).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(page).toContain('<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(page).toContain('<strong>Deletes</strong> the static route to <code>&lt;script&gt;alert(1)&lt;/script&gt;</code>.');
    expect(page).toContain('<li>note &lt;script&gt;alert(1)&lt;/script&gt;</li>');
    expect(page.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1).toBeGreaterThanOrEqual(15);
  });

  it('shows the hostile description of a route to be created as text', () => {
    const plan = { ...staticRouteCreatePlan, description: '<img src=x onerror=alert(1)>' };
    const page = renderPlanPage(planView({ tool: 'create_static_route', plan }), canDecide);
    expect(page).not.toContain('<img');
    expect(section(page, 'Static route')).toContain('The new route’s description: &lt;img src=x onerror=alert(1)&gt;');
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
      { action: 'create_static_route', destination: 7, next_hop: { is_blackhole: 'yes', attachment: [] }, current_route: 'x', routing_effect: { used_before: 'x', used_after: {}, attachments_affected: { count: 'n', entries: [null, 3] }, more_specific: null } },
      { action: 'delete_static_route', next_hop: 1, current_route: { is_blackhole: 1 }, routing_effect: { more_specific: { entries: [{ next_hops: 'x' }] }, gains: [], changes: { count: 1, entries: [null] } } },
    ];
    for (const plan of odd) {
      const page = renderPlanPage(planView({ plan }), canDecide);
      expect(page).toContain('<h2>Routing effect</h2>');
      expect(page).toContain('name="decision" value="approve"');
    }
  });
});
