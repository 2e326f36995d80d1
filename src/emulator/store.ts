// The emulator's state and the ER operations on it. States move with time, computed on read,
// so the emulator keeps no timers: pending → available (or failed), deleting → gone.
import type { AttachmentSeed, RouteTableSeed, RouterSeed, Topology } from './topology.js';

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
  now: () => number;
}

interface StoredAssociation {
  id: string;
  route_table_id: string;
  attachment_id: string;
  resource_type: string;
  resource_id: string;
  created_at: string;
  createdMs: number;
  deletingSinceMs?: number;
  /** Ends `failed` instead of `available`. */
  fails: boolean;
  /** Seeded associations are already settled, and carry the API reference's timestamp style. */
  settled: boolean;
}

/** The API reference's own example timestamp, used for seeded associations. */
const SEEDED_TIMESTAMP = '2020-03-11T15:13:31';

/** `YYYY-MM-DDTHH:mm:ss` in UTC, the form the API reference's examples use. */
function referenceStyle(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** An API error the emulator answers with: HTTP status, ER code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Store {
  private readonly routers: RouterSeed[];
  private readonly tables: RouteTableSeed[];
  private readonly attachments: AttachmentSeed[];
  private associations: StoredAssociation[] = [];
  private readonly tokens = new Map<string, { associationId: string; attachmentId: string; routeTableId: string }>();
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

  /** The attachment as the API shows it, with `associated` and `route_table_id` from live state. */
  viewAttachment(a: AttachmentSeed): Record<string, unknown> {
    const association = this.liveAssociations().find((x) => x.attachment_id === a.id);
    const { associated_route_table_id: _seed, er_id, ...rest } = a;
    return { ...rest, er_id, associated: association !== undefined, route_table_id: association?.route_table_id ?? '' };
  }

  associate(erId: string, routeTableId: string, attachmentId: string, clientToken: string | undefined): Record<string, unknown> {
    const table = this.table(erId, routeTableId);
    if (clientToken) {
      const earlier = this.tokens.get(clientToken);
      const replayed = earlier && this.liveAssociations().find((x) => x.id === earlier.associationId);
      if (earlier && replayed) {
        if (earlier.attachmentId !== attachmentId || earlier.routeTableId !== routeTableId) {
          throw new ApiError(400, 'ER.04009005', 'The X-Client-Token was already used for a different request.');
        }
        return this.view(replayed);
      }
    }
    const attachment = this.attachment(erId, attachmentId);
    if (this.liveAssociations().some((x) => x.attachment_id === attachmentId)) {
      throw new ApiError(400, 'ER.04002002', `The association already exists for attachment ${attachmentId}.`);
    }
    if (this.router(erId).state !== 'available') throw new ApiError(400, 'ER.04001003', 'The enterprise router is unavailable or being operated.');
    if (table.state !== 'available') throw new ApiError(400, 'ER.04005003', 'The route table is unavailable or being operated.');
    if (attachment.state !== 'available') throw new ApiError(400, 'ER.04004003', 'The attachment is unavailable or being operated.');
    const association = this.newAssociation(attachment, routeTableId, false);
    this.associations.push(association);
    if (clientToken) this.tokens.set(clientToken, { associationId: association.id, attachmentId, routeTableId });
    return this.view(association);
  }

  disassociate(erId: string, routeTableId: string, attachmentId: string): void {
    this.table(erId, routeTableId);
    const association = this.liveAssociations().find((x) => x.attachment_id === attachmentId && x.route_table_id === routeTableId);
    if (!association) throw new ApiError(404, 'ER.04042001', `The association of attachment ${attachmentId} does not exist on route table ${routeTableId}.`);
    const state = this.stateOf(association);
    if (state === 'pending' || state === 'deleting') {
      throw new ApiError(400, 'ER.04002003', `An operation is in progress on this association (state ${state}).`);
    }
    association.deletingSinceMs = this.options.now();
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
    const now = this.options.now();
    this.associations = this.associations.filter(
      (x) => x.deletingSinceMs === undefined || now - x.deletingSinceMs < this.options.deletedAfterMs,
    );
    return this.associations;
  }

  private stateOf(x: StoredAssociation): string {
    const now = this.options.now();
    if (x.deletingSinceMs !== undefined) return 'deleting';
    if (x.settled || now - x.createdMs >= this.options.availableAfterMs) return x.fails ? 'failed' : 'available';
    return 'pending';
  }

  private view(x: StoredAssociation): Record<string, unknown> {
    const state = this.stateOf(x);
    const changedMs = state === 'pending' ? x.createdMs : (x.deletingSinceMs ?? x.createdMs + (x.settled ? 0 : this.options.availableAfterMs));
    return {
      id: x.id,
      route_table_id: x.route_table_id,
      attachment_id: x.attachment_id,
      resource_type: x.resource_type,
      resource_id: x.resource_id,
      state,
      created_at: x.created_at,
      // Seeded ones keep their reference-style stamp until something happens to them, and then
      // report the change in that same style (no milliseconds, no zone).
      updated_at: x.settled ? (x.deletingSinceMs === undefined ? x.created_at : referenceStyle(changedMs)) : new Date(changedMs).toISOString(),
      route_policy: { export_policy_id: '' },
    };
  }

  private newAssociation(attachment: AttachmentSeed, routeTableId: string, settled: boolean): StoredAssociation {
    const createdMs = this.options.now();
    const fails = this.failing.delete(attachment.id);
    return {
      id: this.nextId('e'),
      route_table_id: routeTableId,
      attachment_id: attachment.id,
      resource_type: attachment.resource_type,
      resource_id: attachment.resource_id,
      // Seeded ones use the reference's own example format: no milliseconds, no zone.
      created_at: settled ? SEEDED_TIMESTAMP : new Date(createdMs).toISOString(),
      createdMs,
      fails,
      settled,
    };
  }

  nextId(prefix: string): string {
    this.sequence += 1;
    const n = this.sequence.toString(16).padStart(12, '0');
    return `${prefix}${'0'.repeat(7)}-0000-4000-8000-${n}`;
  }
}
