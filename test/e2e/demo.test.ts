// `npm run demo` is the README's promise: it must run to the end on the built code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../../dist/demo.js', import.meta.url));

describe('npm run demo', () => {
  it('walks discover → plan (with routing effect) → approve (form and page) → associate and propagate → wait and verify → check routes → blackhole → undo all three → wait, and prints the audit trail', () => {
    const run = spawnSync(process.execPath, [DEMO], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    for (const step of ['list_enterprise_routers', 'dry_run":true', 'asks the human to approve', 'state pending', 'state available after', 'state deleting', 'state not_found', 'intent (about to send)', 'outcome succeeded']) {
      expect(out).toContain(step);
    }
    expect(out.indexOf('state available after')).toBeLessThan(out.indexOf('→ delete_route_association'));
    // The propagation half, and the routing effect shown before the change.
    for (const step of ['routing effect: lookups move from no route table to rtb-prod', 'reachable after: 4: 10.10.99.0/24', 'appear 1: 10.10.0.0/16 via vpc', '→ create_route_propagation', 'propagation state available', '← 10.10.0.0/16 (propagation) → vpc-payments', '→ delete_route_propagation']) {
      expect(out).toContain(step);
    }
    expect(out.indexOf('appear 1: 10.10.0.0/16')).toBeLessThan(out.indexOf('? the server asks the human'));
    expect(out.indexOf('propagation state available')).toBeLessThan(out.indexOf('→ list_effective_routes'));
    // The blackhole: planned with where traffic to 10.30.0.0/16 goes, approved in the form, waited for and checked, undone first.
    for (const step of [
      '6. Prod must never reach the analytics VPC',
      'traffic to 10.30.0.0/16 goes nowhere (no route: dropped) now, dropped (blackhole 10.30.0.0/16) after',
      'attachments whose traffic to it changes: none, it is dropped either way',
      'create_static_route asks to ADD a static route: 10.30.0.0/16 → a BLACKHOLE',
      'to 10.30.0.0/16: state pending, blackhole true',
      'static route state available',
      'delete_static_route asks to DELETE the static route to 10.30.0.0/16',
    ]) {
      expect(out).toContain(step);
    }
    expect(out.indexOf('dropped (blackhole 10.30.0.0/16) after')).toBeLessThan(out.indexOf('ADD a static route'));
    expect(out.indexOf('static route state available')).toBeLessThan(out.indexOf('→ delete_static_route'));
    expect(out.indexOf('→ delete_static_route')).toBeLessThan(out.indexOf('→ delete_route_propagation'));
    expect(out.match(/← state not_found/g)).toHaveLength(3);
    // Both approval paths: the IDE client's form, and the page for the chat-ops bot that cannot ask.
    for (const step of ['plan_id plan-', 'approved by stdio:', 'via form', '← status approval_required: nothing was sent. approval_url http://127.0.0.1:', 'the person opens the page (HTTP 200)', '! the person approves on the page: approved', 'via page']) {
      expect(out).toContain(step);
    }
    expect(out.indexOf('approval_required')).toBeLessThan(out.indexOf('the person approves on the page'));
    // Each change is checked against its plan once it settles.
    expect(out.match(/verification as_planned/g)).toHaveLength(3);
    expect(out.match(/verification verified/g)).toHaveLength(6);
    expect(out.match(/create_static_route +attempt \w+ +outcome succeeded/g)).toHaveLength(1);
  });
});
