// Typed calls to the Enterprise Router v3 API: paths, paging and error mapping. No MCP here.
import type { z } from 'zod';
import type { HttpClient, HttpResult } from '../http/http-client.js';
import type { Query } from '../http/signer.js';
import { type AttemptRecord, ErApiError, HttpFailure, isRetryableResponse, recordOf } from './errors.js';
import type { ErOperation } from './iam-actions.js';
import { assertSafeId } from './ids.js';
import {
  type Association,
  associationSchema,
  type Attachment,
  attachmentSchema,
  type EffectiveRoute,
  effectiveRouteSchema,
  pageInfoSchema,
  type Propagation,
  propagationSchema,
  type RouteTable,
  routeTableSchema,
  type Router,
  routerSchema,
} from './types.js';

export type { Clock } from '../http/clock.js';

export interface CallOptions {
  signal?: AbortSignal;
  /** Absolute deadline (client clock, ms) covering every retry and wait of this call. */
  deadline?: number;
  /** Collects the request id of every answer the API gives, look-ups included (for the audit). */
  trace?: RequestTrace;
}

/** The request ids one tool call received, in order. */
export class RequestTrace {
  readonly requestIds: string[] = [];

  add(records: readonly AttemptRecord[]): void {
    for (const record of records) if (record.request_id && !this.requestIds.includes(record.request_id)) this.requestIds.push(record.request_id);
  }
}

export interface Page<T> {
  items: T[];
  /** Marker for the next page, absent on the last one. */
  nextMarker?: string;
  requestId?: string;
}

export interface ListOptions extends CallOptions {
  limit?: number;
  marker?: string;
  filters?: Query;
}

export interface AssociationRef {
  erId: string;
  routeTableId: string;
  attachmentId: string;
}

/** What a write call did: every HTTP attempt, in order (the last one is the answer). */
export interface WriteResult {
  requestId?: string;
  attempts: AttemptRecord[];
}

export interface CreatedAssociation extends WriteResult {
  association: Association;
}

/** Each read, by the key its answer carries: which operation a failure belongs to (for the 403 hint). */
const READ_OPERATIONS: Record<string, ErOperation> = {
  associations: 'listAssociations',
  instances: 'listRouters',
  instance: 'getRouter',
  route_tables: 'listRouteTables',
  route_table: 'getRouteTable',
  attachments: 'listAttachments',
  attachment: 'getAttachment',
  propagations: 'listPropagations',
  routes: 'listEffectiveRoutes',
};

export interface CreatedPropagation extends WriteResult {
  propagation: Propagation;
}

/** Safety stop for paging loops against a misbehaving server. */
const MAX_PAGES = 1_000;

export class ErClient {
  constructor(
    private readonly http: HttpClient,
    readonly projectId: string,
  ) {
    assertSafeId('project_id', projectId);
  }

  async associate(ref: AssociationRef, clientToken: string, options: CallOptions = {}): Promise<CreatedAssociation> {
    const created = await this.createLink(ref, { action: 'associate', operation: 'associate', clientToken }, options);
    return { ...created, association: associationSchema.parse(created.body.association) };
  }

  /** Starts removing the association; the API answers 202 with no body. */
  disassociate(ref: AssociationRef, options: CallOptions = {}): Promise<WriteResult> {
    return this.removeLink(ref, { action: 'disassociate', operation: 'disassociate' }, options);
  }

  listAssociations(erId: string, routeTableId: string, options: ListOptions = {}): Promise<Page<Association>> {
    return this.listPage(`${this.tablePath(erId, routeTableId)}/associations`, 'associations', associationSchema, options);
  }

  /**
   * The attachment's association on this route table, or null; follows every page. Both IDs are
   * checked on what comes back: a list that ignored its filter (or its path) must not pass an
   * association of another attachment or table off as this one.
   */
  findAssociation(ref: AssociationRef, options: CallOptions = {}): Promise<Association | null> {
    return this.findLink(ref, (listOptions) => this.listAssociations(ref.erId, ref.routeTableId, listOptions), options);
  }

  listRouters(options: ListOptions = {}): Promise<Page<Router>> {
    return this.listPage(`${this.base()}/instances`, 'instances', routerSchema, options);
  }

  async getRouter(erId: string, options: CallOptions = {}): Promise<Router> {
    return this.getOne(`${this.base()}/instances/${checked('er_id', erId)}`, 'instance', routerSchema, options);
  }

  listRouteTables(erId: string, options: ListOptions = {}): Promise<Page<RouteTable>> {
    return this.listPage(`${this.routerPath(erId)}/route-tables`, 'route_tables', routeTableSchema, options);
  }

  getRouteTable(erId: string, routeTableId: string, options: CallOptions = {}): Promise<RouteTable> {
    return this.getOne(this.tablePath(erId, routeTableId), 'route_table', routeTableSchema, options);
  }

  listAttachments(erId: string, options: ListOptions = {}): Promise<Page<Attachment>> {
    return this.listPage(`${this.routerPath(erId)}/attachments`, 'attachments', attachmentSchema, options);
  }

  getAttachment(erId: string, attachmentId: string, options: CallOptions = {}): Promise<Attachment> {
    return this.getOne(`${this.routerPath(erId)}/attachments/${checked('attachment_id', attachmentId)}`, 'attachment', attachmentSchema, options);
  }

  // Propagations and effective routes: one block, apart from the association calls.

  /** Starts propagating the attachment's routes into the table: 202 with the `pending` propagation. */
  async enablePropagation(ref: AssociationRef, clientToken: string, options: CallOptions = {}): Promise<CreatedPropagation> {
    const created = await this.createLink(ref, { action: 'enable-propagations', operation: 'enablePropagation', clientToken }, options);
    return { ...created, propagation: propagationSchema.parse(created.body.propagation) };
  }

  /** Starts removing the propagation (and the routes it gave the table); 202 with no body. */
  disablePropagation(ref: AssociationRef, options: CallOptions = {}): Promise<WriteResult> {
    return this.removeLink(ref, { action: 'disable-propagations', operation: 'disablePropagation' }, options);
  }

  listPropagations(erId: string, routeTableId: string, options: ListOptions = {}): Promise<Page<Propagation>> {
    return this.listPage(`${this.tablePath(erId, routeTableId)}/propagations`, 'propagations', propagationSchema, options);
  }

  /** The attachment's propagation into this route table, or null; follows every page (IDs checked as for associations). */
  findPropagation(ref: AssociationRef, options: CallOptions = {}): Promise<Propagation | null> {
    return this.findLink(ref, (listOptions) => this.listPropagations(ref.erId, ref.routeTableId, listOptions), options);
  }

  /** Selected routes of a route table (the path has no router id); the marker is the last `route_id`. */
  listEffectiveRoutes(routeTableId: string, options: ListOptions = {}): Promise<Page<EffectiveRoute>> {
    return this.listPage(`${this.base()}/route-tables/${checked('route_table_id', routeTableId)}/routes`, 'routes', effectiveRouteSchema, options);
  }

  /** Walks pages until `next_marker` is empty or repeats the marker just sent (both happen in the wild). */
  async *listAll<T>(fetchPage: (marker: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await fetchPage(marker);
      yield* result.items;
      if (!result.nextMarker || result.nextMarker === marker) return;
      marker = result.nextMarker;
    }
  }

  /**
   * POST …/{action} for the attachment with one X-Client-Token on every attempt: the answer's body
   * (for the caller to read its object), its request id and every attempt.
   */
  private async createLink(
    ref: AssociationRef,
    write: { action: string; operation: ErOperation; clientToken: string },
    options: CallOptions,
  ): Promise<WriteResult & { body: Record<string, unknown> }> {
    const result = await this.send('POST', `${this.tablePath(ref.erId, ref.routeTableId)}/${write.action}`, options, {
      operation: write.operation,
      json: { attachment_id: checked('attachment_id', ref.attachmentId) },
      headers: { 'X-Client-Token': write.clientToken },
    });
    const body = parseJson(result) as Record<string, unknown>;
    const requestId = typeof body.request_id === 'string' ? body.request_id : result.headers['x-request-id'];
    return { body, requestId, attempts: result.outcomes.map(recordOf) };
  }

  /** POST …/{action} for the attachment; the API answers 202 with no body. */
  private async removeLink(ref: AssociationRef, write: { action: string; operation: ErOperation }, options: CallOptions): Promise<WriteResult> {
    const result = await this.send('POST', `${this.tablePath(ref.erId, ref.routeTableId)}/${write.action}`, options, {
      operation: write.operation,
      json: { attachment_id: checked('attachment_id', ref.attachmentId) },
    });
    return { requestId: result.headers['x-request-id'], attempts: result.outcomes.map(recordOf) };
  }

  /** The attachment's link on the table from a list filtered by attachment, both IDs checked on what comes back. */
  private async findLink<T extends { attachment_id?: string | null; route_table_id?: string | null }>(
    ref: AssociationRef,
    listPage: (options: ListOptions) => Promise<Page<T>>,
    options: CallOptions,
  ): Promise<T | null> {
    const filters = { attachment_id: checked('attachment_id', ref.attachmentId) };
    for await (const item of this.listAll((marker) => listPage({ ...options, marker, filters }))) {
      if (isAssociationOn(item, ref)) return item;
    }
    return null;
  }

  private async listPage<S extends z.ZodType>(path: string, key: string, schema: S, options: ListOptions): Promise<Page<z.infer<S>>> {
    const query: Query = { ...options.filters, limit: options.limit, marker: options.marker };
    const result = await this.send('GET', path, options, { operation: READ_OPERATIONS[key]!, query });
    const body = parseJson(result) as Record<string, unknown>;
    const items = Array.isArray(body[key]) ? (body[key] as unknown[]).map((item) => schema.parse(item)) : [];
    const pageInfo = pageInfoSchema.parse(body.page_info);
    return {
      items,
      nextMarker: pageInfo?.next_marker || undefined,
      requestId: (body.request_id as string | undefined) ?? result.headers['x-request-id'],
    };
  }

  private async getOne<S extends z.ZodType>(path: string, key: string, schema: S, options: CallOptions): Promise<z.infer<S>> {
    const result = await this.send('GET', path, options, { operation: READ_OPERATIONS[key]! });
    return schema.parse((parseJson(result) as Record<string, unknown>)[key]);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    options: CallOptions,
    extra: { operation: ErOperation; query?: Query; json?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult> {
    let result: HttpResult;
    try {
      result = await this.http.request({
        method,
        path,
        query: extra.query,
        json: extra.json,
        headers: { 'X-Project-Id': this.projectId, ...extra.headers },
        signal: options.signal,
        deadline: options.deadline,
        retryOn: isRetryableResponse,
      });
    } catch (error) {
      if (error instanceof HttpFailure) options.trace?.add(error.outcomes.map(recordOf));
      throw error;
    }
    options.trace?.add(result.outcomes.map(recordOf));
    if (result.status < 200 || result.status >= 300) throw new ErApiError(result, extra.operation);
    return result;
  }

  private base(): string {
    return `/v3/${this.projectId}/enterprise-router`;
  }

  private routerPath(erId: string): string {
    return `${this.base()}/${checked('er_id', erId)}`;
  }

  private tablePath(erId: string, routeTableId: string): string {
    return `${this.routerPath(erId)}/route-tables/${checked('route_table_id', routeTableId)}`;
  }
}

function checked(name: string, value: string): string {
  assertSafeId(name, value);
  return value;
}

function parseJson(result: HttpResult): unknown {
  if (result.body.trim() === '') return {};
  try {
    return JSON.parse(result.body);
  } catch {
    throw new ErApiError(result);
  }
}

/** Whether a listed association is the one of `ref`: same attachment, and same table when it says. */
export function isAssociationOn(association: Pick<Association, 'attachment_id' | 'route_table_id'>, ref: AssociationRef): boolean {
  if (association.attachment_id !== ref.attachmentId) return false;
  return association.route_table_id == null || association.route_table_id === ref.routeTableId;
}
