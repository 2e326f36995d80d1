// Propagations (which route tables learn an attachment's prefixes), and the effective routes
// computed from them and the static routes (static-routes.ts). Beside the association store, not
// inside it: it reads routers, tables and attachments through the Store's public methods.
import { ApiError } from './api-error.js';
import { ClientTokens } from './client-tokens.js';
import type { Store } from './store.js';
import { isAlive, type LifecycleRecord, type LifecycleTiming, newRecord, stateOf, updatedAt } from './lifecycle.js';
import { type CandidateRoute, type EffectiveRoute, propagatedRouteId, selectEffectiveRoutes, withStaticRoute } from './routing.js';
import { hopOf, type StaticRoutes } from './static-routes.js';
import type { AttachmentSeed, Topology } from './topology.js';
import type { UnforeseenRoute } from './unforeseen-route.js';

interface StoredPropagation extends LifecycleRecord {
  id: string;
  er_id: string;
  route_table_id: string;
  attachment_id: string;
}

export class RoutingStore {
  private propagations: StoredPropagation[] = [];
  private readonly tokens = new ClientTokens();
  private readonly failing = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly staticRoutes: StaticRoutes,
    topology: Topology,
    private readonly timing: LifecycleTiming,
    /** The fault plan's unforeseen route: told of propagation changes, asked for on every read of routes. */
    private readonly unforeseenRoute?: UnforeseenRoute,
  ) {
    for (const attachment of topology.attachments) {
      for (const tableId of attachment.propagated_route_table_ids ?? []) {
        this.propagations.push(this.newPropagation(attachment, tableId, true));
      }
    }
  }

  /** Makes the next propagation of this attachment end `failed` (tests of terminal states). */
  failPropagationsOf(attachmentId: string): void {
    this.failing.add(attachmentId);
  }

  enable(erId: string, routeTableId: string, attachmentId: string, clientToken: string | undefined): Record<string, unknown> {
    const table = this.store.table(erId, routeTableId);
    const request = { attachmentId, routeTableId };
    const replayed = this.tokens.replay(clientToken, request, this.live());
    if (replayed) return this.view(replayed);
    const attachment = this.store.attachment(erId, attachmentId);
    if (this.live().some((x) => x.attachment_id === attachmentId && x.route_table_id === routeTableId)) {
      throw new ApiError(400, 'ER.04003002', `The propagation of attachment ${attachmentId} to route table ${routeTableId} already exists.`);
    }
    this.store.checkLinkable(erId, table, attachment);
    const propagation = this.newPropagation(attachment, routeTableId, false);
    this.propagations.push(propagation);
    if (!propagation.fails) this.unforeseenRoute?.noteChange(routeTableId, attachmentId, propagation.createdMs + this.timing.availableAfterMs);
    this.tokens.remember(clientToken, propagation.id, request);
    return this.view(propagation);
  }

  disable(erId: string, routeTableId: string, attachmentId: string): void {
    this.store.table(erId, routeTableId);
    const propagation = this.live().find((x) => x.attachment_id === attachmentId && x.route_table_id === routeTableId);
    if (!propagation) throw new ApiError(404, 'ER.04043001', `The propagation of attachment ${attachmentId} to route table ${routeTableId} does not exist.`);
    const state = stateOf(propagation, this.timing);
    if (state === 'pending' || state === 'deleting') {
      throw new ApiError(400, 'ER.04003003', `An operation is in progress on this propagation (state ${state}).`);
    }
    propagation.deletingSinceMs = this.timing.now();
    this.unforeseenRoute?.noteChange(routeTableId, attachmentId, propagation.deletingSinceMs);
  }

  list(erId: string, routeTableId: string): Record<string, unknown>[] {
    this.store.table(erId, routeTableId);
    return this.live()
      .filter((x) => x.route_table_id === routeTableId)
      .map((x) => this.view(x));
  }

  /** Every propagation that still exists, for tests: one per (table, attachment) is the invariant. */
  allPropagations(): Record<string, unknown>[] {
    return this.live().map((x) => this.view(x));
  }

  /** The effective routes of a route table, found by id alone as the routes endpoint does. */
  effectiveRoutes(routeTableId: string): EffectiveRoute[] {
    const table = this.store.tableById(routeTableId);
    const attachments = new Map(this.store.listAttachments(table.er_id).map((a) => [a.id, a]));
    const candidates: CandidateRoute[] = [];
    for (const route of this.staticRoutes.inEffect(routeTableId)) {
      candidates.push({
        id: route.id,
        destination: route.destination,
        origin: 'static',
        is_blackhole: route.next_hop === undefined,
        next_hop: route.next_hop,
        description: route.description,
      });
    }
    // Routes count while the propagation is available (docs/routing.md: UNVERIFIED timing).
    for (const propagation of this.live().filter((x) => x.route_table_id === routeTableId && stateOf(x, this.timing) === 'available')) {
      const attachment = attachments.get(propagation.attachment_id);
      for (const cidr of attachment?.cidrs ?? []) {
        candidates.push({ id: propagatedRouteId(propagation.id, cidr), destination: cidr, origin: 'propagation', is_blackhole: false, next_hop: hopOf(attachment!) });
      }
    }
    const unforeseen = this.unforeseenRoute?.routeFor(routeTableId, [...attachments.values()].map(hopOf), this.timing.now());
    return selectEffectiveRoutes(unforeseen ? withStaticRoute(candidates, unforeseen) : candidates);
  }

  private live(): StoredPropagation[] {
    this.propagations = this.propagations.filter((x) => isAlive(x, this.timing));
    return this.propagations;
  }

  private view(x: StoredPropagation): Record<string, unknown> {
    const attachment = this.store.attachment(x.er_id, x.attachment_id);
    const state = stateOf(x, this.timing);
    return {
      id: x.id,
      project_id: this.store.topology.projectId,
      er_id: x.er_id,
      route_table_id: x.route_table_id,
      attachment_id: x.attachment_id,
      resource_type: attachment.resource_type,
      resource_id: attachment.resource_id,
      route_policy: { import_policy_id: '' },
      state,
      created_at: x.created_at,
      updated_at: updatedAt(x, state, this.timing),
    };
  }

  private newPropagation(attachment: AttachmentSeed, routeTableId: string, settled: boolean): StoredPropagation {
    const fails = this.failing.delete(attachment.id);
    return {
      id: this.store.nextId('f'),
      er_id: attachment.er_id,
      route_table_id: routeTableId,
      attachment_id: attachment.id,
      ...newRecord(this.timing.now(), { settled, fails }),
    };
  }
}
