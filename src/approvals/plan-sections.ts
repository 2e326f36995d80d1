// The parts of an approval page that show a plan: what it touches, its conflicts and its routing
// effect (association or propagation, as src/plans/effect-report.ts shapes them, or static route,
// as src/plans/static-route-effect-report.ts does). The plan reaches
// the page as plain JSON, so every field is read defensively: a missing or odd one shows as "—"
// or is left out, never breaks the page.
import { type Html, html } from './html.js';

type Fields = Record<string, unknown>;

/** A row of the facts table; an absent value leaves the row out. */
export type FactRow = [label: string, value: Html | string | null];

export function factsTable(rows: readonly FactRow[]): Html {
  const shown = rows.filter(([, value]) => value !== null && value !== '');
  return html`<table class="facts">${shown.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</table>`;
}

/** Router, route table and attachment with names, ids and states, and where the link is now. */
export function subjectRows(plan: Fields): FactRow[] {
  const attachment = record(plan.attachment);
  const resource = attachment ? [text(attachment.resource_type), text(attachment.resource_id)].filter(Boolean).join(' ') : '';
  return [
    ['Action', text(plan.action)],
    ['Region', text(plan.region)],
    ['Project', text(plan.project_id)],
    ['Router', named(plan.router)],
    ['Route table', named(plan.route_table)],
    ['Attachment', attachment ? html`${named(attachment)}${resource ? html`<br><span class="muted">${resource}</span>` : ''}` : null],
    ['Destination', text(plan.destination) ? html`<code>${text(plan.destination)}</code>` : null],
    ['Next hop', nextHop(plan)],
    ['Now', currentState(plan)],
    ['Will change', typeof plan.will_change === 'boolean' ? (plan.will_change ? 'yes' : 'no: the plan expects no change') : null],
  ];
}

export function conflictsSection(plan: Fields): Html {
  const conflicts = items(plan.conflicts).map(record).filter((c): c is Fields => c !== undefined);
  if (conflicts.length === 0) return html`<h2>Conflicts</h2><p>None: nothing stands in the way of this change.</p>`;
  return html`<h2 class="conflict">Conflicts (${conflicts.length})</h2><ul>${conflicts.map(
    (c) => html`<li class="conflict"><code>${text(c.kind) ?? 'conflict'}</code>: ${text(c.message) ?? ''}</li>`,
  )}</ul>`;
}

export function routingEffectSection(plan: Fields): Html {
  const effect = record(plan.routing_effect);
  const tables = tableNames(plan);
  let body: Html;
  if (!effect) body = html`<p>Unknown${text(plan.routing_effect_note) ? html`: ${text(plan.routing_effect_note)}` : ''}.</p>`;
  else if ('appear' in effect || 'prefixes' in effect) body = propagationEffect(effect, tables);
  else if ('used_before' in effect || 'used_after' in effect) body = staticRouteEffect(effect, tables);
  else body = associationEffect(effect, tables);
  const partial = effect?.complete === false ? html`<p class="muted">Computed on part of the routes only: a table had more routes than were read.</p>` : '';
  return html`<h2>Routing effect</h2>${body}${partial}`;
}

function associationEffect(effect: Fields, tables: TableNames): Html {
  const unchanged = typeof effect.unchanged === 'number' ? effect.unchanged : null;
  return html`<p>Lookups move from ${tables(effect.route_table_before)} to ${tables(effect.route_table_after)}.${
    unchanged !== null ? html` ${unchanged} destination(s) stay unchanged.` : ''
  }</p>
  ${routeList('Reachable after (added)', effect.added)}
  ${routeList('No longer reachable (removed)', effect.removed)}
  ${changedList('Through other next hops (changed)', effect.changed)}
  ${destinationList('Blackholed in the table after the change', effect.blackholed_after)}`;
}

function propagationEffect(effect: Fields, tables: TableNames): Html {
  const prefixes =
    effect.prefixes_known === false
      ? html`<p><strong>Prefixes:</strong> unknown (the attachment propagates into no route table yet, so its routes cannot be read).</p>`
      : destinationList('Prefixes of the attachment', effect.prefixes);
  return html`<p>On route table ${tables(effect.route_table_id)}.</p>
  ${prefixes}
  ${routeList('Destinations that appear', effect.appear)}
  ${routeList('Destinations that disappear', effect.disappear)}
  ${changedList('Destinations that change next hop', effect.changed)}
  ${routingConflicts(effect.conflicts)}
  ${notes(effect.notes)}`;
}

function staticRouteEffect(effect: Fields, tables: TableNames): Html {
  const way = (value: unknown): Html => {
    const route = record(value);
    if (!route) return html`nowhere: <strong>no route</strong> (dropped)`;
    const own = html`${text(route.route_type) ?? 'route'} <code>${text(route.destination) ?? '—'}</code>`;
    return route.blackhole === true ? html`<strong>dropped</strong> by the blackhole route <code>${text(route.destination) ?? '—'}</code>` : html`via ${hopsOf(route.next_hops)} (${own})`;
  };
  const affected = listed(effect.attachments_affected);
  const whose =
    effect.traffic_changes === true
      ? html`<h3>Attachments whose traffic to it changes (associated with the table): ${affected?.count ?? 0}</h3>${
          affected && affected.entries.length > 0 ? html`<p>${hopsOf(affected.entries)}</p>` : ''
        }`
      : effect.traffic_changes === false
        ? html`<p>Traffic to it goes the same way afterwards: no attachment's traffic changes.</p>`
        : '';
  return html`<p>On route table ${tables(effect.route_table_id)}, traffic to <code>${text(effect.destination) ?? '—'}</code> goes ${way(effect.used_before)} now, and ${way(effect.used_after)} after the change.</p>
  ${whose}
  ${routeList('Routes the table gains', effect.gains)}
  ${routeList('Routes the table loses', effect.loses)}
  ${changedList('Destinations through other next hops', effect.changes)}
  ${routeList('More specific routes that keep their own next hops', effect.more_specific)}
  ${notes(effect.notes)}`;
}

function routeList(title: string, value: unknown): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading(title, list)}${list.entries.length > 0 ? html`<table><tr><th>Destination</th><th>Route type</th><th>Next hops</th></tr>${list.entries.map((e) => {
    const route = record(e) ?? {};
    return html`<tr><td><code>${text(route.destination) ?? '—'}</code></td><td>${text(route.route_type) ?? '—'}</td><td>${route.blackhole === true ? html`<strong>blackhole</strong> (dropped)` : hopsOf(route.next_hops)}</td></tr>`;
  })}</table>` : ''}`;
}

function changedList(title: string, value: unknown): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading(title, list)}${list.entries.length > 0 ? html`<table><tr><th>Destination</th><th>Next hops before</th><th>Next hops after</th></tr>${list.entries.map((e) => {
    const change = record(e) ?? {};
    return html`<tr><td><code>${text(change.destination) ?? '—'}</code></td><td>${hopsOf(change.before)}</td><td>${hopsOf(change.after)}</td></tr>`;
  })}</table>` : ''}`;
}

function destinationList(title: string, value: unknown): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading(title, list)}${list.entries.length > 0 ? html`<p>${list.entries.map((d, i) => html`${i > 0 ? ', ' : ''}<code>${text(d) ?? '—'}</code>`)}</p>` : ''}`;
}

function routingConflicts(value: unknown): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading('Routing conflicts', list)}${list.entries.length > 0 ? html`<table><tr><th>Kind</th><th>Prefix</th><th>Route in the way</th><th>What it means</th></tr>${list.entries.map((e) => {
    const c = record(e) ?? {};
    return html`<tr class="conflict"><td><code>${text(c.kind) ?? '—'}</code></td><td><code>${text(c.destination) ?? '—'}</code></td><td><code>${text(c.route_destination) ?? '—'}</code></td><td>${text(c.message) ?? ''}</td></tr>`;
  })}</table>` : ''}`;
}

function notes(value: unknown): Html {
  const lines = items(value).map(text).filter((n): n is string => n !== null);
  return lines.length > 0 ? html`<h3>Notes</h3><ul>${lines.map((n) => html`<li>${n}</li>`)}</ul>` : html``;
}

/** "Title (count)", saying when only the first entries are listed. */
function listHeading(title: string, list: Listed): Html {
  const count = list.count ?? list.entries.length;
  const cut = count > list.entries.length ? html` <span class="muted">(the first ${list.entries.length} of ${count})</span>` : '';
  return html`<h3>${title}: ${count}${cut}</h3>`;
}

function hopsOf(value: unknown): Html | string {
  const hops = items(value).map(record).filter((h): h is Fields => h !== undefined);
  if (hops.length === 0) return '—';
  return html`${hops.map((h, i) => html`${i > 0 ? ', ' : ''}<code>${text(h.attachment_id) ?? '?'}</code>${text(h.resource_type) ? html` (${text(h.resource_type)})` : ''}`)}`;
}

function currentState(plan: Fields): string | null {
  if ('current_association' in plan) {
    const current = record(plan.current_association);
    return current ? `associated with route table ${text(current.route_table_id) ?? '?'} (${text(current.state) ?? 'state unknown'})` : 'not associated';
  }
  if ('current_route' in plan) {
    const current = record(plan.current_route);
    if (!current) return 'no static route to this destination';
    const goes = current.is_blackhole === true ? 'drops the traffic (blackhole)' : `goes via ${text(current.attachment_id) ?? 'an unknown attachment'}`;
    return `a static route to this destination ${goes} (${text(current.state) ?? 'state unknown'})`;
  }
  if ('current_propagation' in plan) {
    const current = record(plan.current_propagation);
    return current ? `propagating into this route table (${text(current.state) ?? 'state unknown'})` : 'not propagating into this route table';
  }
  return null;
}

/** Where a static route's plan sends the traffic: an attachment, or nowhere (a blackhole). */
function nextHop(plan: Fields): Html | null {
  const hop = record(plan.next_hop);
  if (!hop) return null;
  if (hop.is_blackhole === true) return html`<strong>blackhole</strong>: traffic to the destination is dropped`;
  const attachment = record(hop.attachment);
  if (!attachment) return null;
  const resource = [text(attachment.resource_type), text(attachment.resource_id)].filter(Boolean).join(' ');
  return html`${named(attachment)}${resource ? html`<br><span class="muted">${resource}</span>` : ''}`;
}

function named(value: unknown): Html | null {
  const item = record(value);
  if (!item) return null;
  const name = text(item.name);
  const state = text(item.state);
  return html`${name ? html`<strong>${name}</strong> ` : ''}<code>${text(item.id) ?? '?'}</code>${state ? html` <span class="muted">(${state})</span>` : ''}`;
}

type TableNames = (id: unknown) => Html;

/** Route table ids with the name the plan knows for them. */
function tableNames(plan: Fields): TableNames {
  const table = record(plan.route_table);
  const knownId = table ? text(table.id) : null;
  const knownName = table ? text(table.name) : null;
  return (id) => {
    const value = text(id);
    if (value === null) return html`no route table`;
    return value === knownId && knownName ? html`<strong>${knownName}</strong> <code>${value}</code>` : html`<code>${value}</code>`;
  };
}

interface Listed {
  count: number | null;
  entries: unknown[];
}

function listed(value: unknown): Listed | undefined {
  const list = record(value);
  if (!list) return undefined;
  return { count: typeof list.count === 'number' ? list.count : null, entries: items(list.entries) };
}

function record(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
