// The emulator's state and the ER operations on it. States move with time, computed on read
// (lifecycle.ts), so the emulator keeps no timers: pending → available (or failed), deleting → gone.
import { ApiError } from './api-error.js';
import { ClientTokens } from './client-tokens.js';
import { isAlive, type LifecycleRecord, newRecord, stateOf, updatedAt } from './lifecycle.js';
import type { AttachmentSeed, RouteTableSeed, RouterSeed, Topology } from './topology.js';
import type { UnforeseenRoute } from './unforeseen-route.js';
import type { AttachmentAssociation, Placement } from './views.js';

export interface StoreOptions {
  /** How long a new association stays `pending`. */
  availableAfterMs: number;
  /** How long a disassociated association stays `deleting` before it disappears. */
  deletedAfterMs: number;
  /**
   * How long a new association stays out of association lists after its create, as a real,
   * eventually consistent list may (0: listed at once). The create and its checks see it at once.
   */
  associationListLagMs?: number;
  /** The fault plan's unforeseen route, told when each association takes effect or is removed. */
  unforeseenRoute?: UnforeseenRoute;
  now: () => number;
}

interface StoredAssociation extends LifecycleRecord {
  id: string;
  route_table_id: string;
  attachment_id: string;
  resource_type: string;
  resource_id: string;
}

export class Store {
  private readonly routers: RouterSeed[];
  private readonly tables: RouteTableSeed[];
  private readonly attachments: AttachmentSeed[];
  private associations: StoredAssociation[] = [];
  private readonly tokens = new ClientTokens();
  private readonly failing = new Set<string>();
  private sequence = 0;

  constructor(
    readonly topology: Topology,
    private readonly options: StoreOptions,
  ) {
    this.routers = topology.routers.map((r) => ({ state: 'available', ...r }));
    this.tables = topology.routeTables.map((t) => ({ state: 'available', ...t }));
    this.attachments = topology.attachments.map((a) => ({ state: 'available', ...a }));
    for (const a of this.attachments) {
      if (a.associated_route_table_id) {
        this.associations.push(this.newAssociation(a, a.associated_route_table_id, true));
      }
    }
  }

  /** Makes the next association of this attachment end `failed` (tests of terminal states). */
  failAssociationsOf(attachmentId: string): void {
    this.failing.add(attachmentId);
  }

  router(erId: string): RouterSeed {
    const router = this.routers.find((r) => r.id === erId);
    if (!router) throw new ApiError(404, 'ER.04041001', `The enterprise router ${erId} does not exist.`);
    return router;
  }

  listRouters(): RouterSeed[] {
    return this.routers;
  }

  table(erId: string, routeTableId: string): RouteTableSeed {
    this.router(erId);
    const table = this.tables.find((t) => t.id === routeTableId && t.er_id === erId);
    if (!table) throw new ApiError(404, 'ER.04045001', `The route table ${routeTableId} does not exist.`);
    return table;
  }

  /** A route table by its id alone, as the route endpoints (effective and static routes) name it. */
  tableById(routeTableId: string): RouteTableSeed {
    const table = this.tables.find((t) => t.id === routeTableId);
    if (!table) throw new ApiError(404, 'ER.04045001', `The route table ${routeTableId} does not exist.`);
    return table;
  }

  listTables(erId: string): RouteTableSeed[] {
    this.router(erId);
    return this.tables.filter((t) => t.er_id === erId);
  }

  attachment(erId: string, attachmentId: string): AttachmentSeed {
    this.router(erId);
    const attachment = this.attachments.find((a) => a.id === attachmentId && a.er_id === erId);
    if (!attachment) throw new ApiError(404, 'ER.04044001', `The attachment ${attachmentId} does not exist.`);
    return attachment;
  }

  listAttachments(erId: string): AttachmentSeed[] {
    this.router(erId);
    return this.attachments.filter((a) => a.er_id === erId);
  }

  /** Where the attachment is associated now (live state), as its list entry shows it. */
  associationOf(attachmentId: string): AttachmentAssociation {
    const association = this.liveAssociations().find((x) => x.attachment_id === attachmentId);
    return { associated: association !== undefined, route_table_id: association?.route_table_id ?? '' };
  }

  /** The project and region every body is placed in (views.ts). */
  get placement(): Placement {
    return { projectId: this.topology.projectId, region: this.topology.region };
  }

  associate(erId: string, routeTableId: string, attachmentId: string, clientToken: string | undefined): Record<string, unknown> {
    const table = this.table(erId, routeTableId);
    const request = { attachmentId, routeTableId };
    const replayed = this.tokens.replay(clientToken, request, this.liveAssociations());
    if (replayed) return this.view(replayed);
    const attachment = this.attachment(erId, attachmentId);
    if (this.liveAssociations().some((x) => x.attachment_id === attachmentId)) {
      throw new ApiError(400, 'ER.04002002', `The association already exists for attachment ${attachmentId}.`);
    }
    this.checkLinkable(erId, table, attachment);
    const association = this.newAssociation(attachment, routeTableId, false);
    this.associations.push(association);
    if (!association.fails) this.options.unforeseenRoute?.noteChange(routeTableId, attachmentId, association.createdMs + this.options.availableAfterMs);
    this.tokens.remember(clientToken, association.id, request);
    return this.view(association);
  }

  /**
   * A new association or propagation, or a static route's change, needs its router, table and
   * attachment (if any: a blackhole route has none) available.
   */
  checkLinkable(erId: string, table: RouteTableSeed, attachment?: AttachmentSeed): void {
    if (this.router(erId).state !== 'available') throw new ApiError(400, 'ER.04001003', 'The enterprise router is unavailable or being operated.');
    if (table.state !== 'available') throw new ApiError(400, 'ER.04005003', 'The route table is unavailable or being operated.');
    if (attachment && attachment.state !== 'available') throw new ApiError(400, 'ER.04004003', 'The attachment is unavailable or being operated.');
  }

  disassociate(erId: string, routeTableId: string, attachmentId: string): void {
    this.table(erId, routeTableId);
    const association = this.liveAssociations().find((x) => x.attachment_id === attachmentId && x.route_table_id === routeTableId);
    if (!association) throw new ApiError(404, 'ER.04042001', `The association of attachment ${attachmentId} does not exist on route table ${routeTableId}.`);
    const state = stateOf(association, this.options);
    if (state === 'pending' || state === 'deleting') {
      throw new ApiError(400, 'ER.04002003', `An operation is in progress on this association (state ${state}).`);
    }
    association.deletingSinceMs = this.options.now();
    this.options.unforeseenRoute?.noteChange(routeTableId, attachmentId, association.deletingSinceMs);
  }

  listAssociations(erId: string, routeTableId: string): Record<string, unknown>[] {
    this.table(erId, routeTableId);
    const lag = this.options.associationListLagMs ?? 0;
    const now = this.options.now();
    return this.liveAssociations()
      .filter((x) => x.route_table_id === routeTableId && (x.settled || now - x.createdMs >= lag))
      .map((x) => this.view(x));
  }

  /** Every association that still exists, for tests: one per attachment is the invariant. */
  allAssociations(): Record<string, unknown>[] {
    return this.liveAssociations().map((x) => this.view(x));
  }

  private liveAssociations(): StoredAssociation[] {
    this.associations = this.associations.filter((x) => isAlive(x, this.options));
    return this.associations;
  }

  private view(x: StoredAssociation): Record<string, unknown> {
    const state = stateOf(x, this.options);
    return {
      id: x.id,
      route_table_id: x.route_table_id,
      attachment_id: x.attachment_id,
      resource_type: x.resource_type,
      resource_id: x.resource_id,
      state,
      created_at: x.created_at,
      updated_at: updatedAt(x, state, this.options),
      route_policy: { export_policy_id: '' },
    };
  }

  private newAssociation(attachment: AttachmentSeed, routeTableId: string, settled: boolean): StoredAssociation {
    const fails = this.failing.delete(attachment.id);
    return {
      id: this.nextId('e'),
      route_table_id: routeTableId,
      attachment_id: attachment.id,
      resource_type: attachment.resource_type,
      resource_id: attachment.resource_id,
      ...newRecord(this.options.now(), { settled, fails }),
    };
  }

  nextId(prefix: string): string {
    this.sequence += 1;
    const n = this.sequence.toString(16).padStart(12, '0');
    return `${prefix}${'0'.repeat(7)}-0000-4000-8000-${n}`;
  }
}
