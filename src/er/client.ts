// Typed calls to the Enterprise Router v3 API: paths, paging and error mapping. No MCP here.
import type { z } from 'zod';
import type { HttpClient, HttpResult, RequestObserver } from '../http/http-client.js';
import type { Query } from '../http/signer.js';
import { type CallObserver, NO_CALL_OBSERVATION, type RetryReason } from '../observe/observer.js';
import { BUSY_CODES } from './codes.js';
import { type AttemptRecord, ErApiError, HttpFailure, isRetryableResponse, recordOf } from './errors.js';
import { assertSafeId } from './ids.js';
import { type ErOperation, OPERATIONS, type PathParams, pathOf } from './operations.js';
import {
  type Association,
  associationSchema,
  type Attachment,
  attachmentSchema,
  type EffectiveRoute,
  effectiveRouteSchema,
  type ListedAttachment,
  listedAttachmentSchema,
  pageInfoSchema,
  type Propagation,
  propagationSchema,
  type RouteTable,
  routeTableSchema,
  type Router,
  routerSchema,
  type StaticRoute,
  staticRouteSchema,
} from './types.js';
import { canonical } from './cidr.js';
import type { RequestTrace } from './request-trace.js';

export type { Clock } from '../http/clock.js';

export interface CallOptions {
  signal?: AbortSignal;
  /** Absolute deadline (client clock, ms) covering every retry and wait of this call. */
  deadline?: number;
  /** Collects the request id of every answer the API gives, look-ups included (for the audit). */
  trace?: RequestTrace;
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

export interface CreatedPropagation extends WriteResult {
  propagation: Propagation;
}

/** What a static route is: a destination in a table, and where it goes (one attachment, or nowhere). */
export interface StaticRouteSpec {
  routeTableId: string;
  /** A CIDR block; sent as given (the tools send it canonically). */
  destination: string;
  /** The next hop; absent for a blackhole route (the API forbids both). */
  attachmentId?: string;
  isBlackhole?: boolean;
  description?: string;
}

export interface StaticRouteRef {
  routeTableId: string;
  routeId: string;
}

export interface CreatedStaticRoute extends WriteResult {
  route: StaticRoute;
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
    const created = await this.createLink(ref, 'associateRouteTable', clientToken, options);
    return { ...created, association: associationSchema.parse(created.body.association) };
  }

  /** Starts removing the association; the API answers 202 with no body. */
  disassociate(ref: AssociationRef, options: CallOptions = {}): Promise<WriteResult> {
    return this.removeLink(ref, 'disassociateRouteTable', options);
  }

  listAssociations(erId: string, routeTableId: string, options: ListOptions = {}): Promise<Page<Association>> {
    return this.listPage('listAssociations', { er_id: erId, route_table_id: routeTableId }, associationSchema, options);
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
    return this.listPage('listEnterpriseRouters', {}, routerSchema, options);
  }

  async getRouter(erId: string, options: CallOptions = {}): Promise<Router> {
    return this.getOne('showEnterpriseRouter', { er_id: erId }, routerSchema, options);
  }

  listRouteTables(erId: string, options: ListOptions = {}): Promise<Page<RouteTable>> {
    return this.listPage('listRouteTables', { er_id: erId }, routeTableSchema, options);
  }

  getRouteTable(erId: string, routeTableId: string, options: CallOptions = {}): Promise<RouteTable> {
    return this.getOne('showRouteTable', { er_id: erId, route_table_id: routeTableId }, routeTableSchema, options);
  }

  /** List entries carry where each attachment is associated (`associated`, `route_table_id`); the show does not. */
  listAttachments(erId: string, options: ListOptions = {}): Promise<Page<ListedAttachment>> {
    return this.listPage('listAttachments', { er_id: erId }, listedAttachmentSchema, options);
  }

  /** The attachment's own fields; where it is associated is only in its list entry (findListedAttachment). */
  getAttachment(erId: string, attachmentId: string, options: CallOptions = {}): Promise<Attachment> {
    return this.getOne('showAttachment', { er_id: erId, attachment_id: attachmentId }, attachmentSchema, options);
  }

  /**
   * The attachment's list entry, which says where it is associated, or null; follows every page.
   * The list has no id filter: given the attachment's resource id, the list is filtered by that,
   * and the entry's id is checked on what comes back either way.
   */
  async findListedAttachment(erId: string, attachmentId: string, options: CallOptions & { resourceId?: string | null } = {}): Promise<ListedAttachment | null> {
    const { resourceId, ...callOptions } = options;
    const filters = resourceId ? { resource_id: resourceId } : undefined;
    for await (const attachment of this.listAll((marker) => this.listAttachments(erId, { ...callOptions, marker, filters }))) {
      if (attachment.id === attachmentId) return attachment;
    }
    return null;
  }

  // Propagations and effective routes: one block, apart from the association calls.

  /** Starts propagating the attachment's routes into the table: 202 with the `pending` propagation. */
  async enablePropagation(ref: AssociationRef, clientToken: string, options: CallOptions = {}): Promise<CreatedPropagation> {
    const created = await this.createLink(ref, 'enablePropagation', clientToken, options);
    return { ...created, propagation: propagationSchema.parse(created.body.propagation) };
  }

  /** Starts removing the propagation (and the routes it gave the table); 202 with no body. */
  disablePropagation(ref: AssociationRef, options: CallOptions = {}): Promise<WriteResult> {
    return this.removeLink(ref, 'disablePropagation', options);
  }

  listPropagations(erId: string, routeTableId: string, options: ListOptions = {}): Promise<Page<Propagation>> {
    return this.listPage('listPropagations', { er_id: erId, route_table_id: routeTableId }, propagationSchema, options);
  }

  /** The attachment's propagation into this route table, or null; follows every page (IDs checked as for associations). */
  findPropagation(ref: AssociationRef, options: CallOptions = {}): Promise<Propagation | null> {
    return this.findLink(ref, (listOptions) => this.listPropagations(ref.erId, ref.routeTableId, listOptions), options);
  }

  /** Selected routes of a route table (the path has no router id); the marker is the last `route_id`. */
  listEffectiveRoutes(routeTableId: string, options: ListOptions = {}): Promise<Page<EffectiveRoute>> {
    return this.listPage('listEffectiveRoutes', { route_table_id: routeTableId }, effectiveRouteSchema, options);
  }

  // Static routes: the path names the route table alone, as for effective routes.

  listStaticRoutes(routeTableId: string, options: ListOptions = {}): Promise<Page<StaticRoute>> {
    return this.listPage('listStaticRoutes', { route_table_id: routeTableId }, staticRouteSchema, options);
  }

  getStaticRoute(ref: StaticRouteRef, options: CallOptions = {}): Promise<StaticRoute> {
    return this.getOne('showStaticRoute', staticRouteParams(ref), staticRouteSchema, options);
  }

  /** Starts adding the route: 202 with the `pending` route; one X-Client-Token on every attempt. */
  async createStaticRoute(spec: StaticRouteSpec, clientToken: string, options: CallOptions = {}): Promise<CreatedStaticRoute> {
    const result = await this.send('createStaticRoute', { route_table_id: spec.routeTableId }, options, {
      json: { route: routeBody(spec) },
      headers: { 'X-Client-Token': clientToken },
    });
    const body = parseJson(result) as Record<string, unknown>;
    return { route: staticRouteSchema.parse(body.route), ...writeResultOf(result) };
  }

  /** Changes where the route goes (or its description): 202 with the `modifying` route. */
  async updateStaticRoute(ref: StaticRouteRef, change: Omit<StaticRouteSpec, 'routeTableId' | 'destination'>, options: CallOptions = {}): Promise<CreatedStaticRoute> {
    const result = await this.send('updateStaticRoute', staticRouteParams(ref), options, { json: { route: routeBody(change) } });
    const body = parseJson(result) as Record<string, unknown>;
    return { route: staticRouteSchema.parse(body.route), ...writeResultOf(result) };
  }

  /** Starts removing the route; the API answers 202 with no body. */
  async deleteStaticRoute(ref: StaticRouteRef, options: CallOptions = {}): Promise<WriteResult> {
    return writeResultOf(await this.send('deleteStaticRoute', staticRouteParams(ref), options));
  }

  /**
   * The table's static route to this destination, or null; follows every page. The destination
   * and the table are checked on what comes back (compared canonically): a list that ignored its
   * filter must not pass another route off as this one.
   */
  async findStaticRoute(routeTableId: string, destination: string, options: CallOptions = {}): Promise<StaticRoute | null> {
    const wanted = canonical(destination);
    const filters = { destination: wanted };
    for await (const route of this.listAll((marker) => this.listStaticRoutes(routeTableId, { ...options, marker, filters }))) {
      if (canonical(route.destination) === wanted && (route.route_table_id == null || route.route_table_id === routeTableId)) return route;
    }
    return null;
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
   * POST to a link operation for the attachment with one X-Client-Token on every attempt: the
   * answer's body (for the caller to read its object), its request id and every attempt.
   */
  private async createLink(
    ref: AssociationRef,
    operation: 'associateRouteTable' | 'enablePropagation',
    clientToken: string,
    options: CallOptions,
  ): Promise<WriteResult & { body: Record<string, unknown> }> {
    const result = await this.send(operation, linkParams(ref), options, {
      json: { attachment_id: checked('attachment_id', ref.attachmentId) },
      headers: { 'X-Client-Token': clientToken },
    });
    return { body: parseJson(result) as Record<string, unknown>, ...writeResultOf(result) };
  }

  /** POST to a link's removal for the attachment; the API answers 202 with no body. */
  private async removeLink(ref: AssociationRef, operation: 'disassociateRouteTable' | 'disablePropagation', options: CallOptions): Promise<WriteResult> {
    const result = await this.send(operation, linkParams(ref), options, { json: { attachment_id: checked('attachment_id', ref.attachmentId) } });
    return writeResultOf(result);
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

  private async listPage<S extends z.ZodType>(operation: ErOperation, params: PathParams, schema: S, options: ListOptions): Promise<Page<z.infer<S>>> {
    const query: Query = { ...options.filters, limit: options.limit, marker: options.marker };
    const result = await this.send(operation, params, options, { query });
    const body = parseJson(result) as Record<string, unknown>;
    const key = keyOf(operation);
    const items = Array.isArray(body[key]) ? (body[key] as unknown[]).map((item) => schema.parse(item)) : [];
    const pageInfo = pageInfoSchema.parse(body.page_info);
    return {
      items,
      nextMarker: pageInfo?.next_marker || undefined,
      requestId: (body.request_id as string | undefined) ?? result.headers['x-request-id'],
    };
  }

  private async getOne<S extends z.ZodType>(operation: ErOperation, params: PathParams, schema: S, options: CallOptions): Promise<z.infer<S>> {
    const result = await this.send(operation, params, options);
    return schema.parse((parseJson(result) as Record<string, unknown>)[keyOf(operation)]);
  }

  /** One operation, signed, retried as the HTTP layer does; a non-2xx answer throws ErApiError naming the operation. */
  private async send(
    operation: ErOperation,
    params: PathParams,
    options: CallOptions,
    extra: { query?: Query; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> {
    let result: HttpResult;
    try {
      result = await this.http.request({
        method: OPERATIONS[operation].method,
        path: pathOf(operation, { ...params, project_id: this.projectId }),
        query: extra.query,
        json: extra.json,
        headers: { 'X-Project-Id': this.projectId, ...extra.headers },
        signal: options.signal,
        deadline: options.deadline,
        retryOn: isRetryableResponse,
        observe: options.trace && options.trace.observer !== NO_CALL_OBSERVATION ? requestObserver(operation, options.trace.observer) : undefined,
      });
    } catch (error) {
      if (error instanceof HttpFailure) options.trace?.add(error.outcomes.map(recordOf));
      throw error;
    }
    options.trace?.add(result.outcomes.map(recordOf));
    if (result.status < 200 || result.status >= 300) throw new ErApiError(result, operation);
    return result;
  }
}

/** Reports an operation's attempts and retries to a call's observer, in the operation's terms. */
function requestObserver(operation: ErOperation, observer: CallObserver): RequestObserver {
  return {
    attempt({ attempt, outcome, startedAtMs, durationMs }) {
      const record = recordOf(outcome);
      observer.erAttempt({ operation, method: OPERATIONS[operation].method, attempt, status: record.status, failure: record.failure, requestId: record.request_id, startedAtMs, durationMs });
    },
    retry({ attempt, outcome, delayMs, retryAfterMs }) {
      const record = recordOf(outcome);
      observer.erRetry({ operation, attempt, reason: retryReason(record), status: record.status, delayMs, retryAfterMs });
    },
    gaveUp({ attempts, outcome, why }) {
      const record = recordOf(outcome);
      observer.erGaveUp({ operation, attempts, reason: retryReason(record), status: record.status, failure: record.failure, requestId: record.request_id, why });
    },
  };
}

function retryReason(record: AttemptRecord): RetryReason {
  if (record.failure === 'network' || record.failure === 'timeout') return record.failure;
  if (record.status === 429) return 'throttled';
  if (record.error_code !== null && BUSY_CODES.has(record.error_code)) return 'busy';
  if (record.status !== null && record.status >= 500) return 'server_error';
  return 'other';
}

function linkParams(ref: AssociationRef): PathParams {
  return { er_id: ref.erId, route_table_id: ref.routeTableId };
}

function staticRouteParams(ref: StaticRouteRef): PathParams {
  return { route_table_id: ref.routeTableId, route_id: ref.routeId };
}

/** The `route` object of a create or update: a next hop or a blackhole, never both (the API refuses both). */
function routeBody(spec: Partial<StaticRouteSpec>): Record<string, unknown> {
  return {
    ...(spec.destination !== undefined ? { destination: spec.destination } : {}),
    ...(spec.isBlackhole ? { is_blackhole: true } : spec.attachmentId !== undefined ? { attachment_id: checked('attachment_id', spec.attachmentId) } : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  };
}

function keyOf(operation: ErOperation): string {
  const key = (OPERATIONS[operation] as { key?: string }).key;
  if (!key) throw new TypeError(`${operation} answers with no body`);
  return key;
}

/** The request id (the body's, else the header's) and every attempt of a write. */
function writeResultOf(result: HttpResult): WriteResult {
  const body = parseJson(result) as Record<string, unknown>;
  const requestId = typeof body.request_id === 'string' ? body.request_id : result.headers['x-request-id'];
  return { requestId, attempts: result.outcomes.map(recordOf) };
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
