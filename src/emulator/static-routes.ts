// Static routes as the emulator's state: the five static-route operations, with the lifecycle of
// lifecycle.ts (pending → available or failed, modifying → available, deleting → gone), idempotent
// creates, and the rule that a table holds one static route per destination. Route selection
// (routing.ts, through RoutingStore.effectiveRoutes) asks `inEffect` for the routes it ranks.
import { canonical } from '../er/cidr.js';
import { ApiError } from './api-error.js';
import { ClientTokens } from './client-tokens.js';
import { isAlive, type LifecycleRecord, type LifecycleTiming, newRecord, stateOf, updatedAt } from './lifecycle.js';
import type { NextHop } from './routing.js';
import type { CreateRouteRequest, RouteTarget, UpdateRouteRequest } from './static-route-requests.js';
import type { Store } from './store.js';
import type { AttachmentSeed, RouteTableSeed, Topology } from './topology.js';
import type { UnforeseenRoute } from './unforeseen-route.js';

/**
 * UNVERIFIED: ErrorCode.html has no "an operation is in progress on this route" code (as it has
 * for associations and propagations); the route table's "unavailable or being operated" is the
 * nearest, and is what the emulator answers for a pending, modifying or deleting route.
 */
export const ROUTE_BUSY_CODE = 'ER.04005003';

export interface StaticRouteOptions extends LifecycleTiming {
  /**
   * Static routes one route table may hold (deleting ones count until gone). UNVERIFIED: the
   * reference gives no number; 100 is the emulator's default, small enough for a test to reach.
   */
  quotaPerTable: number;
}

interface StoredRoute extends LifecycleRecord {
  id: string;
  route_table_id: string;
  /** Canonical CIDR block. */
  destination: string;
  /** Absent on a blackhole route. */
  next_hop?: NextHop;
  description: string;
  /** Where the route went before the update in progress: it keeps going there until the update ends. */
  before_update?: { next_hop?: NextHop };
}

/** What route selection needs of a static route in effect. */
export interface StaticRouteInEffect {
  id: string;
  destination: string;
  next_hop?: NextHop;
  /** The route's own description, which its effective route shows. */
  description: string;
}

export class StaticRoutes {
  private routes: StoredRoute[] = [];
  private readonly tokens = new ClientTokens();
  /** Canonical destinations whose next new route ends `failed`. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly store: Store,
    topology: Topology,
    private readonly options: StaticRouteOptions,
    /** The fault plan's unforeseen route: told when a route takes effect, changes or goes. */
    private readonly unforeseenRoute?: UnforeseenRoute,
  ) {
    for (const seed of topology.staticRoutes ?? []) {
      const table = store.tableById(seed.route_table_id);
      const attachment = seed.attachment_id === undefined ? undefined : topology.attachments.find((a) => a.id === seed.attachment_id && a.er_id === table.er_id);
      if (seed.attachment_id !== undefined && !attachment) throw new Error(`static route ${seed.id}: no attachment ${seed.attachment_id} on the router of ${table.id}`);
      this.routes.push({
        id: seed.id,
        route_table_id: table.id,
        destination: canonical(seed.destination),
        next_hop: attachment && hopOf(attachment),
        description: seed.description ?? '',
        ...newRecord(options.now(), { settled: true, fails: false }),
      });
    }
  }

  /** Makes the next static route created to this destination end `failed` (tests of terminal states). */
  failStaticRoutesTo(destination: string): void {
    this.failing.add(canonical(destination));
  }

  /** The table's routes, in ascending id (the order `page()` expects of a marker). */
  list(routeTableId: string): Record<string, unknown>[] {
    this.store.tableById(routeTableId);
    return this.live()
      .filter((r) => r.route_table_id === routeTableId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((r) => this.view(r));
  }

  show(routeTableId: string, routeId: string): Record<string, unknown> {
    return this.view(this.find(routeTableId, routeId));
  }

  create(routeTableId: string, request: CreateRouteRequest, clientToken: string | undefined): Record<string, unknown> {
    const table = this.store.tableById(routeTableId);
    const tokenRequest = { routeTableId, destination: request.destination, attachmentId: request.target.attachmentId ?? '', isBlackhole: request.target.attachmentId === undefined };
    const replayed = this.tokens.replay(clientToken, tokenRequest, this.live());
    if (replayed) return this.view(replayed);
    const attachment = this.attachmentOf(table, request.target);
    const inTable = this.live().filter((r) => r.route_table_id === routeTableId);
    if (inTable.some((r) => r.destination === request.destination)) {
      throw new ApiError(400, 'ER.04006002', `Route table ${routeTableId} already has a static route to ${request.destination}.`);
    }
    this.store.checkLinkable(table.er_id, table, attachment);
    if (inTable.length >= this.options.quotaPerTable) {
      throw new ApiError(400, 'ER.04009008', `Route table ${routeTableId} already holds ${inTable.length} static routes, its quota.`);
    }
    const route: StoredRoute = {
      id: this.store.nextId('s'),
      route_table_id: routeTableId,
      destination: request.destination,
      next_hop: attachment && hopOf(attachment),
      description: request.description,
      ...newRecord(this.options.now(), { settled: false, fails: this.failing.delete(request.destination) }),
    };
    this.routes.push(route);
    if (!route.fails) this.noteChange(route, route.createdMs + this.options.availableAfterMs);
    this.tokens.remember(clientToken, route.id, tokenRequest);
    return this.view(route);
  }

  /** Points the route elsewhere (or changes its description): `modifying`, then `available`. */
  update(routeTableId: string, routeId: string, request: UpdateRouteRequest): Record<string, unknown> {
    const table = this.store.tableById(routeTableId);
    const route = this.find(routeTableId, routeId);
    this.checkIdle(route, ['available']);
    const attachment = request.target && this.attachmentOf(table, request.target);
    this.store.checkLinkable(table.er_id, table, attachment);
    route.before_update = { next_hop: route.next_hop };
    if (request.target) route.next_hop = attachment && hopOf(attachment);
    if (request.description !== undefined) route.description = request.description;
    route.modifyingSinceMs = this.options.now();
    this.noteChange(route, route.modifyingSinceMs + this.options.availableAfterMs);
    return this.view(route);
  }

  /** Starts removing the route: `deleting`, then gone. A failed route may be deleted. */
  delete(routeTableId: string, routeId: string): void {
    const table = this.store.tableById(routeTableId);
    const route = this.find(routeTableId, routeId);
    this.checkIdle(route, ['available', 'failed']);
    this.store.checkLinkable(table.er_id, table);
    route.deletingSinceMs = this.options.now();
    this.noteChange(route, route.deletingSinceMs);
  }

  /**
   * The table's routes that route selection counts: `available` ones, and `modifying` ones where
   * they went before the update. UNVERIFIED (docs/routing.md): when a route starts and stops counting.
   */
  inEffect(routeTableId: string): StaticRouteInEffect[] {
    const routes: StaticRouteInEffect[] = [];
    for (const route of this.live().filter((r) => r.route_table_id === routeTableId)) {
      const state = stateOf(route, this.options);
      const { id, destination, description } = route;
      if (state === 'available') routes.push({ id, destination, next_hop: route.next_hop, description });
      if (state === 'modifying') routes.push({ id, destination, next_hop: route.before_update?.next_hop, description });
    }
    return routes;
  }

  /** Every static route that still exists, for tests: one per (table, destination) is the invariant. */
  allStaticRoutes(): Record<string, unknown>[] {
    return this.live().map((r) => this.view(r));
  }

  private find(routeTableId: string, routeId: string): StoredRoute {
    this.store.tableById(routeTableId);
    const route = this.live().find((r) => r.id === routeId && r.route_table_id === routeTableId);
    if (!route) throw new ApiError(404, 'ER.04046001', `The static route ${routeId} does not exist in route table ${routeTableId}.`);
    return route;
  }

  /** The next hop must be an attachment of the table's router (ER.04044001 otherwise: no code says "of another router"). */
  private attachmentOf(table: RouteTableSeed, target: RouteTarget): AttachmentSeed | undefined {
    return target.attachmentId === undefined ? undefined : this.store.attachment(table.er_id, target.attachmentId);
  }

  private checkIdle(route: StoredRoute, allowed: string[]): void {
    const state = stateOf(route, this.options);
    if (!allowed.includes(state)) throw new ApiError(400, ROUTE_BUSY_CODE, `The static route ${route.id} is ${state}: it cannot be changed now.`);
  }

  private noteChange(route: StoredRoute, atMs: number): void {
    this.unforeseenRoute?.noteChange(route.route_table_id, route.next_hop?.attachment_id ?? route.before_update?.next_hop?.attachment_id ?? '', atMs);
  }

  private live(): StoredRoute[] {
    this.routes = this.routes.filter((r) => isAlive(r, this.options));
    return this.routes;
  }

  private view(route: StoredRoute): Record<string, unknown> {
    const state = stateOf(route, this.options);
    return {
      id: route.id,
      type: 'static',
      state,
      is_blackhole: route.next_hop === undefined,
      destination: route.destination,
      attachments: route.next_hop ? [{ ...route.next_hop }] : [],
      route_table_id: route.route_table_id,
      created_at: route.created_at,
      updated_at: updatedAt(route, state, this.options),
      description: route.description,
    };
  }
}

export function hopOf(attachment: AttachmentSeed): NextHop {
  return { resource_id: attachment.resource_id, resource_type: attachment.resource_type, attachment_id: attachment.id };
}
