// The parts of an approval page that show a plan: what it touches, its conflicts and its routing
// effect (association or propagation, as src/plans/effect-report.ts shapes them; a static route,
// as src/plans/static-route-effect-report.ts does, with a section of its own). The plan reaches
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
    ['Destination', text(plan.destination) !== null ? html`<code>${text(plan.destination)}</code>` : null],
    ['Next hop', 'next_hop' in plan ? nextHop(plan.next_hop) : null],
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

/**
 * What a static-route plan asks, in words: the route added (and where it sends traffic, a
 * blackhole spelt out) or the route deleted, and the table's static route to the destination now.
 * Nothing for other plans.
 */
export function staticRouteSection(plan: Fields): Html {
  if (!isStaticRoutePlan(plan)) return html``;
  const destination = html`<code>${text(plan.destination) ?? '?'}</code>`;
  const hop = record(plan.next_hop);
  let asked: Html;
  const attachment = record(hop?.attachment);
  if (plan.action === 'delete_static_route') asked = html`<p><strong>Deletes</strong> the static route to ${destination}.</p>`;
  else if (hop?.is_blackhole === true) {
    asked = html`<p><strong>Adds</strong> a static route to ${destination} that is a <strong class="conflict">BLACKHOLE</strong>: traffic to ${destination} is dropped.</p>`;
  } else if (attachment) asked = html`<p><strong>Adds</strong> a static route to ${destination} that sends traffic to ${attachmentName(attachment)}.</p>`;
  else asked = html`<p>A static route to ${destination}; where it sends traffic is unknown.</p>`;
  const description = plan.action === 'create_static_route' ? text(plan.description) : undefined;
  const described = description ? html`<p>The new route’s description: ${description}</p>` : html``;
  return html`<h2>Static route</h2>${asked}${described}${currentRoute(plan, destination)}`;
}

function currentRoute(plan: Fields, destination: Html): Html {
  if (!('current_route' in plan)) return html``;
  const route = record(plan.current_route);
  if (!route) return html`<p>The route table has <strong>no static route</strong> to ${destination} now.</p>`;
  const description = text(route.description);
  return html`<p>The route table’s static route to ${destination} now:</p>
<table><tr><th>Route id</th><th>State</th><th>Sends traffic to</th><th>Description</th></tr><tr><td><code>${text(route.id) ?? '—'}</code></td><td>${text(route.state) ?? '—'}</td><td>${
    route.is_blackhole === true ? html`<strong class="conflict">BLACKHOLE</strong> (dropped)` : html`<code>${text(route.attachment_id) ?? '?'}</code>`
  }</td><td>${description ? description : html`<span class="muted">none</span>`}</td></tr></table>`;
}

export function routingEffectSection(plan: Fields): Html {
  const effect = record(plan.routing_effect);
  const tables = tableNames(plan);
  let body: Html;
  if (!effect) body = html`<p>Unknown${text(plan.routing_effect_note) ? html`: ${text(plan.routing_effect_note)}` : ''}.</p>`;
  else if ('used_before' in effect || 'more_specific' in effect) body = staticRouteEffect(effect, tables, attachmentNames(plan));
  else if ('appear' in effect || 'prefixes' in effect) body = propagationEffect(effect, tables);
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

/** Where traffic to the destination goes before and after, whose traffic that is, and what stays. */
function staticRouteEffect(effect: Fields, tables: TableNames, names: AttachmentNames): Html {
  const destination = html`<code>${text(effect.destination) ?? '?'}</code>`;
  const changes = typeof effect.traffic_changes === 'boolean' ? effect.traffic_changes : null;
  const affected = listed(effect.attachments_affected);
  return html`<p>On route table ${tables(effect.route_table_id)}, for every attachment associated with it.</p>
  <table><tr><th>Traffic to ${destination}</th><th>Follows the route</th><th>Goes to</th></tr>${trafficRow('Before', effect.used_before, names)}${trafficRow('After', effect.used_after, names)}</table>
  ${changes === null ? '' : changes ? html`<p><strong>Traffic to ${destination} goes elsewhere afterwards.</strong></p>` : html`<p>Traffic to ${destination} goes the same way afterwards.</p>`}
  ${affected ? html`${listHeading('Attachments affected (associated with this route table)', affected)}${
    affected.entries.length > 0
      ? html`<table><tr><th>Attachment</th><th>Type</th></tr>${affected.entries.map((e) => {
          const a = record(e) ?? {};
          return html`<tr><td>${names(a.attachment_id)}</td><td>${text(a.resource_type) ?? '—'}</td></tr>`;
        })}</table>`
      : ''
  }` : ''}
  ${nonEmpty(effect.gains) ? routeList('Routes the table gains', effect.gains, names) : ''}
  ${nonEmpty(effect.loses) ? routeList('Routes the table loses', effect.loses, names) : ''}
  ${nonEmpty(effect.changes) ? changedList('Destinations through other next hops', effect.changes, names, 'none: dropped') : ''}
  ${routeList('More specific routes that keep their own next hops (traffic to them is not affected)', effect.more_specific, names)}
  ${notes(effect.notes)}`;
}

function trafficRow(when: string, value: unknown, names: AttachmentNames): Html {
  const route = record(value);
  if (value === null) return html`<tr><th scope="row">${when}</th><td>none</td><td><strong>no route</strong> (dropped)</td></tr>`;
  if (!route) return html`<tr><th scope="row">${when}</th><td>—</td><td>unknown</td></tr>`;
  const kind = text(route.route_type);
  return html`<tr><th scope="row">${when}</th><td><code>${text(route.destination) ?? '?'}</code>${kind ? html` (${kind})` : ''}</td><td>${
    route.blackhole === true ? html`<strong class="conflict">BLACKHOLE</strong> (dropped)` : hopsOf(route.next_hops, names)
  }</td></tr>`;
}

function routeList(title: string, value: unknown, names?: AttachmentNames): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading(title, list)}${list.entries.length > 0 ? html`<table><tr><th>Destination</th><th>Route type</th><th>Next hops</th></tr>${list.entries.map((e) => {
    const route = record(e) ?? {};
    return html`<tr><td><code>${text(route.destination) ?? '—'}</code></td><td>${text(route.route_type) ?? '—'}</td><td>${route.blackhole === true ? html`<strong>blackhole</strong> (dropped)` : hopsOf(route.next_hops, names)}</td></tr>`;
  })}</table>` : ''}`;
}

function changedList(title: string, value: unknown, names?: AttachmentNames, noHops?: string): Html {
  const list = listed(value);
  if (!list) return html``;
  return html`${listHeading(title, list)}${list.entries.length > 0 ? html`<table><tr><th>Destination</th><th>Next hops before</th><th>Next hops after</th></tr>${list.entries.map((e) => {
    const change = record(e) ?? {};
    return html`<tr><td><code>${text(change.destination) ?? '—'}</code></td><td>${hopsOf(change.before, names, noHops)}</td><td>${hopsOf(change.after, names, noHops)}</td></tr>`;
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

function hopsOf(value: unknown, names: AttachmentNames = (id) => html`<code>${text(id) ?? '?'}</code>`, none = '—'): Html | string {
  const hops = items(value).map(record).filter((h): h is Fields => h !== undefined);
  if (hops.length === 0) return none;
  return html`${hops.map((h, i) => html`${i > 0 ? ', ' : ''}${names(h.attachment_id)}${text(h.resource_type) ? html` (${text(h.resource_type)})` : ''}`)}`;
}

/** A static-route plan: one naming a destination and the table's static route to it. */
function isStaticRoutePlan(plan: Fields): boolean {
  return plan.action === 'create_static_route' || plan.action === 'delete_static_route' || ('destination' in plan && ('next_hop' in plan || 'current_route' in plan));
}

/** Where a new static route sends traffic: an attachment, or a blackhole said plainly. */
function nextHop(value: unknown): Html | string | null {
  const hop = record(value);
  if (!hop) return null;
  const attachment = record(hop.attachment);
  if (hop.is_blackhole === true) return html`<strong class="conflict">BLACKHOLE</strong>: traffic is dropped`;
  return attachment ? attachmentName(attachment) : 'unknown';
}

/** An attachment with its name, id, type, resource and state. */
function attachmentName(attachment: Fields): Html {
  const resource = [text(attachment.resource_type), text(attachment.resource_id)].filter(Boolean).join(' ');
  return html`${named(attachment)}${resource ? html` <span class="muted">${resource}</span>` : ''}`;
}

function currentState(plan: Fields): string | null {
  if ('current_association' in plan) {
    const current = record(plan.current_association);
    return current ? `associated with route table ${text(current.route_table_id) ?? '?'} (${text(current.state) ?? 'state unknown'})` : 'not associated';
  }
  if ('current_route' in plan) {
    const current = record(plan.current_route);
    const destination = text(plan.destination) ?? 'the destination';
    if (!current) return `no static route to ${destination}`;
    const way = current.is_blackhole === true ? 'a BLACKHOLE (traffic is dropped)' : `via ${text(current.attachment_id) ?? 'an unknown attachment'}`;
    return `a static route to ${destination}: ${way} (${text(current.state) ?? 'state unknown'})`;
  }
  if ('current_propagation' in plan) {
    const current = record(plan.current_propagation);
    return current ? `propagating into this route table (${text(current.state) ?? 'state unknown'})` : 'not propagating into this route table';
  }
  return null;
}

function named(value: unknown): Html | null {
  const item = record(value);
  if (!item) return null;
  const name = text(item.name);
  const state = text(item.state);
  return html`${name ? html`<strong>${name}</strong> ` : ''}<code>${text(item.id) ?? '?'}</code>${state ? html` <span class="muted">(${state})</span>` : ''}`;
}

type TableNames = (id: unknown) => Html;
type AttachmentNames = (id: unknown) => Html;

/** Attachment ids with the name the plan knows for them (its attachment, or a static route's next hop). */
function attachmentNames(plan: Fields): AttachmentNames {
  const known = new Map<string, string>();
  for (const candidate of [record(plan.attachment), record(record(plan.next_hop)?.attachment)]) {
    const id = candidate ? text(candidate.id) : null;
    const name = candidate ? text(candidate.name) : null;
    if (id !== null && name) known.set(id, name);
  }
  return (id) => {
    const value = text(id);
    if (value === null) return html`<code>?</code>`;
    const name = known.get(value);
    return name ? html`<strong>${name}</strong> <code>${value}</code>` : html`<code>${value}</code>`;
  };
}

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

/** A `{count, entries}` list that holds something (by its count, else its entries). */
function nonEmpty(value: unknown): boolean {
  const list = listed(value);
  return list !== undefined && (list.count ?? list.entries.length) !== 0;
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
