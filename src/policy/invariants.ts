// Routing invariants on one router's routing state (routing-state.ts), read now or predicted for
// after a change (predicted-state.ts). Pure. Containment is by longest-prefix match, as the routing
// effect computes it (prefix-fate.ts). Whatever cannot be told from the state (a table not read, a
// name that names nothing, routes a plan could not predict) makes the invariant unknown, which
// counts as broken: the policy fails closed.
import { contains, format, parsePrefix, type Prefix } from '../er/cidr.js';
import type { RouteEntry } from '../er/routing-effect.js';
import type { Invariant, InvariantResult, ResourceRef } from './model.js';
import { fateOf } from './prefix-fate.js';
import { describeNamed, describeRef, type Named, refMatches } from './refs.js';
import { resolveAttachments, resolveTables, type RoutingState, type StateAttachment, type TableRouting, tableNamed } from './routing-state.js';

/** Whether the invariant is about this router: it names none (every router), or this one. */
export function appliesTo(invariant: Invariant, state: Pick<RoutingState, 'router'>): boolean {
  return invariant.router === undefined || refMatches(invariant.router, state.router);
}

/** The route tables whose routes the invariants need on this state (applicable ones only), by ID. */
export function tablesNeeded(invariants: readonly Invariant[], state: RoutingState): string[] {
  const ids = new Set<string>();
  for (const invariant of invariants) {
    if (!appliesTo(invariant, state)) continue;
    if (invariant.kind === 'no_reach') {
      for (const member of members(invariant.from, state).attachments) if (member.route_table_id) ids.add(member.route_table_id);
      for (const table of resolveTables(invariant.from.associated_with ?? [], state).found) ids.add(table.id);
    } else {
      for (const table of resolveTables([invariant.route_table], state).found) ids.add(table.id);
    }
  }
  return [...ids].sort();
}

/**
 * Every invariant that applies on this router, evaluated on the state, in the order given. Where
 * a predicted change removes a route, a route the API never listed may take its destination over
 * (docs/routing.md): an invariant whose answer would differ then is unknown.
 */
export function evaluateInvariants(invariants: readonly Invariant[], state: RoutingState): InvariantResult[] {
  const hidden = withHiddenRoutes(state);
  return invariants
    .filter((invariant) => appliesTo(invariant, state))
    .map((invariant) => {
      const verdict = evaluate(invariant, state);
      const overlapping = hidden?.destinations.filter((d) => overlaps(d.destination, invariant.prefix)) ?? [];
      if (!hidden || overlapping.length === 0 || verdict.status === 'unknown') return resultOf(invariant, verdict);
      const worst = evaluate(invariant, hidden.state);
      if (worst.status === verdict.status) return resultOf(invariant, verdict);
      const where = overlapping.map((d) => d.where).join(', ');
      return resultOf(invariant, {
        status: 'unknown',
        text: `${verdict.status === 'holds' ? 'it holds on the routes the API shows' : verdict.text}; but after the change a propagated route the API does not list (hidden today behind the route that goes) may take over ${where}, and then: ${worst.text}`,
      });
    });
}

interface Verdict {
  status: 'holds' | 'broken' | 'unknown';
  /** What holds, what breaks it, or what is missing to tell. */
  text: string;
}

function evaluate(invariant: Invariant, state: RoutingState): Verdict {
  const prefix = parsePrefix(invariant.prefix);
  if (!prefix || !invariant.prefix.includes('/')) return unknown(`the prefix "${invariant.prefix}" is not a CIDR block`);
  switch (invariant.kind) {
    case 'no_reach':
      return noReach(invariant, prefix, state);
    case 'routes_to':
      return routesTo(invariant, prefix, state);
    case 'blackholed':
      return blackholed(invariant, prefix, state);
  }
}

type NoReach = Extract<Invariant, { kind: 'no_reach' }>;
type RoutesTo = Extract<Invariant, { kind: 'routes_to' }>;
type Blackholed = Extract<Invariant, { kind: 'blackholed' }>;

function noReach(invariant: NoReach, prefix: Prefix, state: RoutingState): Verdict {
  const p = format(prefix);
  const set = members(invariant.from, state);
  if (set.missing.length > 0) return unresolved(invariant, state, set.missing);
  const byPattern = (invariant.from.associated_with ?? []).length > 0 || (invariant.from.attachments ?? []).some((r) => 'name' in r && r.name.endsWith('*'));
  if (state.incomplete && byPattern) return unknown(`which attachments are in the set cannot be told: ${state.incomplete}`);
  const breaks: string[] = [];
  const unknowns: string[] = [];
  for (const attachment of set.attachments) {
    if (attachment.route_table_id === null) continue;
    const table = tableNamed(state, attachment.route_table_id);
    const routing = state.routes.get(table.id);
    if (!routing?.known) {
      unknowns.push(`${describeNamed(attachment)} uses ${describeNamed(table)}, whose routes are not known (${reasonOf(routing, table)})`);
      continue;
    }
    const fate = fateOf(routing.routes, prefix);
    const reaching = fate.carriers.find((route) => !route.is_blackhole);
    if (reaching) {
      breaks.push(`${describeNamed(attachment)}, associated with ${describeNamed(table)}, reaches ${p}: ${describeCarrier(reaching, fate.covering, p, state)}`);
    }
  }
  if (breaks.length > 0) return broken(withMore(breaks, 'attachment'));
  if (unknowns.length > 0) return unknown(withMore(unknowns, 'attachment'));
  const count = set.attachments.length;
  const unassociated = set.attachments.filter((a) => a.route_table_id === null).length;
  const none = count === 0 ? 'no attachment is in the set' : `none of the ${count} attachment(s) in the set reaches it${unassociated > 0 ? ` (${unassociated} associated with no route table)` : ''}`;
  return holds(`${p}: ${none}`);
}

function routesTo(invariant: RoutesTo, prefix: Prefix, state: RoutingState): Verdict {
  const p = format(prefix);
  const tables = resolveTables([invariant.route_table], state);
  if (tables.found.length === 0) return unresolved(invariant, state, [invariant.route_table], 'route table');
  const targets = resolveAttachments([invariant.attachment], state);
  if (targets.found.length === 0) return unresolved(invariant, state, [invariant.attachment], 'attachment');
  const wanted = new Set(targets.found.map((a) => a.id));
  const target = targets.found.length === 1 ? describeNamed(targets.found[0]!) : `an attachment with ${describeRef(invariant.attachment)}`;
  // The route the prefix as a whole follows decides: "rtb-prod sends 0.0.0.0/0 to the firewall"
  // is about the default route, and more specific routes inside are other destinations, which
  // keep their own next hops (the answer counts them).
  return perTable(tables.found, state, (routes, table) => {
    const fate = fateOf(routes, prefix);
    const where = describeNamed(table);
    const route = fate.covering;
    if (!route) return { broken: `in ${where}, there is no route to ${p}: that traffic is dropped, not sent to ${target}` };
    const goesThere = !route.is_blackhole && route.next_hops.length > 0 && route.next_hops.every((h) => h.attachment_id !== null && wanted.has(h.attachment_id));
    if (!goesThere) return { broken: `in ${where}, ${describeCarrier(route, fate.covering, p, state)}; it should go to ${target} alone` };
    const blackhole = fate.enclosingBlackholes.find((b) => b !== route);
    if (blackhole && fate.carriers.includes(route)) {
      return {
        unknown: `in ${where}, traffic to ${p} goes to ${target} by the longest-prefix rule, but lies inside the blackhole route ${blackhole.destination}, and the static-route guide says such traffic is dropped (UNVERIFIED, docs/routing.md)`,
      };
    }
    const inside = fate.carriers.filter((r) => r !== route).length;
    return { holds: `${where} sends ${p} to ${target} (${route.destination})${inside > 0 ? `; ${inside} more specific route(s) inside keep their own next hops` : ''}` };
  });
}

function blackholed(invariant: Blackholed, prefix: Prefix, state: RoutingState): Verdict {
  const p = format(prefix);
  const tables = resolveTables([invariant.route_table], state);
  if (tables.found.length === 0) return unresolved(invariant, state, [invariant.route_table], 'route table');
  return perTable(tables.found, state, (routes, table) => {
    const fate = fateOf(routes, prefix);
    const where = describeNamed(table);
    const carrying = fate.carriers.find((route) => !route.is_blackhole);
    if (carrying) return { broken: `in ${where}, ${describeCarrier(carrying, fate.covering, p, state)}: not dropped` };
    if (fate.unrouted) {
      return {
        broken: `in ${where}, ${fate.carriers.length === 0 ? `there is no route to ${p}` : `part of ${p} has no route`}: dropped today, but by no blackhole route, so a route propagated later would carry it`,
      };
    }
    return { holds: `${where} drops ${p} by the blackhole route${fate.carriers.length > 1 ? 's' : ''} ${fate.carriers.map((r) => r.destination).join(', ')}` };
  });
}

type TableVerdict = { holds: string } | { broken: string } | { unknown: string };

/** The invariant on every table its reference names: broken if any breaks it, unknown if any cannot tell. */
function perTable(tables: readonly Named[], state: RoutingState, judge: (routes: ReadonlyMap<string, RouteEntry>, table: Named) => TableVerdict): Verdict {
  const verdicts = tables.map((table): TableVerdict => {
    const routing = state.routes.get(table.id);
    if (!routing?.known) return { unknown: `the routes of ${describeNamed(table)} are not known (${reasonOf(routing, table)})` };
    return judge(routing.routes, table);
  });
  const brokenOnes = verdicts.flatMap((v) => ('broken' in v ? [v.broken] : []));
  if (brokenOnes.length > 0) return broken(withMore(brokenOnes, 'route table'));
  const unknownOnes = verdicts.flatMap((v) => ('unknown' in v ? [v.unknown] : []));
  if (unknownOnes.length > 0) return unknown(withMore(unknownOnes, 'route table'));
  return holds(verdicts.map((v) => ('holds' in v ? v.holds : '')).join('; '));
}

/** The attachments of a set: those associated with its tables, and those it names. */
function members(set: NoReach['from'], state: RoutingState): { attachments: StateAttachment[]; missing: Array<{ ref: ResourceRef; what: string }> } {
  const tables = resolveTables(set.associated_with ?? [], state);
  const named = resolveAttachments(set.attachments ?? [], state);
  const tableIds = new Set(tables.found.map((t) => t.id));
  const found = new Map<string, StateAttachment>();
  for (const attachment of state.attachments) if (attachment.route_table_id !== null && tableIds.has(attachment.route_table_id)) found.set(attachment.id, attachment);
  for (const attachment of named.found) found.set(attachment.id, attachment);
  return {
    attachments: [...found.values()].sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id)),
    missing: [...tables.missing.map((ref) => ({ ref, what: 'route table' })), ...named.missing.map((ref) => ({ ref, what: 'attachment' }))],
  };
}

/** How a route carries traffic of the prefix: the route traffic to it follows, or one inside it. */
function describeCarrier(route: RouteEntry, covering: RouteEntry | null, prefix: string, state: RoutingState): string {
  const does = route.is_blackhole ? 'is a blackhole route (traffic dropped)' : `goes via ${describeHops(route, state)} (${route.route_type ?? 'route'})`;
  if (route !== covering) return `the more specific route ${route.destination}, inside ${prefix}, ${does}`;
  return route.destination === prefix ? `the route ${route.destination} ${does}` : `traffic to ${prefix} follows the route ${route.destination}, which ${does}`;
}

function describeHops(route: RouteEntry, state: RoutingState): string {
  if (route.next_hops.length === 0) return 'no next hop';
  return route.next_hops
    .map((hop) => {
      if (hop.attachment_id === null) return 'an attachment not named';
      const known = state.attachments.find((a) => a.id === hop.attachment_id);
      return known ? describeNamed(known) : hop.attachment_id;
    })
    .join(' and ');
}

function reasonOf(routing: TableRouting | undefined, table: Named): string {
  if (routing && !routing.known) return routing.reason;
  return `route table ${table.id} was not read`;
}

function unresolved(invariant: Invariant, state: RoutingState, missing: ReadonlyArray<{ ref: ResourceRef; what: string } | ResourceRef>, what = ''): Verdict {
  const named = missing.map((m) => ('ref' in m ? `${m.what} ${describeRef(m.ref)}` : `${what} ${describeRef(m)}`)).join(', ');
  const hint = invariant.router === undefined ? ' (an invariant about another router names it with `router`)' : '';
  return unknown(`no ${named} on router ${describeNamed(state.router)}${hint}`);
}

function withMore(sentences: readonly string[], noun: string): string {
  return sentences.length === 1 ? sentences[0]! : `${sentences[0]}; and ${sentences.length - 1} more ${noun}(s)`;
}

function holds(text: string): Verdict {
  return { status: 'holds', text };
}

function broken(text: string): Verdict {
  return { status: 'broken', text };
}

function unknown(text: string): Verdict {
  return { status: 'unknown', text };
}

function resultOf(invariant: Invariant, verdict: Verdict): InvariantResult {
  const origin = { name: invariant.name, line: invariant.line, kind: invariant.kind };
  switch (verdict.status) {
    case 'holds':
      return { ...origin, holds: true, message: `holds: ${verdict.text}` };
    case 'broken':
      return { ...origin, holds: false, message: `BROKEN: ${verdict.text}` };
    case 'unknown':
      return { ...origin, holds: false, unknown: true, message: `cannot be told, so it counts as broken: ${verdict.text}` };
  }
}

/** Whether two CIDR blocks share an address (one contains the other). */
function overlaps(a: string, b: string): boolean {
  const x = parsePrefix(a);
  const y = parsePrefix(b);
  return x !== null && y !== null && (contains(x, y) || contains(y, x));
}

/**
 * The state with a route through an attachment nobody named at every destination a prediction
 * removes (possiblyHidden): the worst a hidden route could do. Null when there is none.
 */
function withHiddenRoutes(state: RoutingState): { state: RoutingState; destinations: Array<{ destination: string; where: string }> } | null {
  const destinations: Array<{ destination: string; where: string }> = [];
  const routes = new Map(state.routes);
  for (const [id, routing] of state.routes) {
    if (!routing.known || !routing.possiblyHidden?.length) continue;
    const widened = new Map(routing.routes);
    for (const destination of routing.possiblyHidden) {
      if (widened.has(destination)) continue;
      widened.set(destination, { destination, next_hops: [{ attachment_id: null, resource_type: null }], is_blackhole: false, route_type: 'propagation' });
      destinations.push({ destination, where: `${destination} in ${describeNamed(tableNamed(state, id))}` });
    }
    routes.set(id, { known: true, routes: widened });
  }
  return destinations.length === 0 ? null : { state: { ...state, routes }, destinations };
}
