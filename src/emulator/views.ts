// The API's view of the seeded objects: each body is built field by field from the fields the
// API reference lists for it (test/fixtures/contract has them per operation), never by copying a
// seed, so the emulator's own knowledge (topology.ts) cannot leak into a body. What a seed leaves
// out gets the value a plainly created object would have.
import { SEEDED_TIMESTAMP } from './lifecycle.js';
import type { AttachmentSeed, RouterSeed, RouteTableSeed, TagSeed } from './topology.js';

/** Where an object lives: the project every body names, and the region its zones are in. */
export interface Placement {
  projectId: string;
  region: string;
}

/** The association part of an attachment list entry (`AttachmentDetails`). */
export interface AttachmentAssociation {
  associated: boolean;
  /** The associated route table, or '' when there is none. */
  route_table_id: string;
}

/** The enterprise project a resource is in when nobody chose one. */
export const DEFAULT_ENTERPRISE_PROJECT_ID = '0';

function tags(seed: readonly TagSeed[] | undefined): TagSeed[] {
  return (seed ?? []).map(({ key, value }) => ({ key, value }));
}

/** `instance` / an entry of `instances`. */
export function routerView(r: RouterSeed, at: Placement): Record<string, unknown> {
  const createdAt = r.created_at ?? SEEDED_TIMESTAMP;
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? '',
    state: r.state ?? 'available',
    tags: tags(r.tags),
    charge_mode: r.charge_mode ?? 'postPaid',
    created_at: createdAt,
    updated_at: r.updated_at ?? createdAt,
    enterprise_project_id: r.enterprise_project_id ?? DEFAULT_ENTERPRISE_PROJECT_ID,
    project_id: at.projectId,
    asn: r.asn ?? 64512,
    enable_default_propagation: r.enable_default_propagation ?? false,
    enable_default_association: r.enable_default_association ?? false,
    default_propagation_route_table_id: r.default_propagation_route_table_id ?? '',
    default_association_route_table_id: r.default_association_route_table_id ?? '',
    availability_zone_ids: [...(r.availability_zone_ids ?? [`${at.region}a`, `${at.region}b`])],
    auto_accept_shared_attachments: r.auto_accept_shared_attachments ?? false,
  };
}

/** `route_table` / an entry of `route_tables`: no router id, the path has it. */
export function routeTableView(t: RouteTableSeed): Record<string, unknown> {
  const createdAt = t.created_at ?? SEEDED_TIMESTAMP;
  return {
    id: t.id,
    name: t.name,
    description: t.description ?? '',
    is_default_association: t.is_default_association ?? false,
    is_default_propagation: t.is_default_propagation ?? false,
    state: t.state ?? 'available',
    tags: tags(t.tags),
    created_at: createdAt,
    updated_at: t.updated_at ?? createdAt,
  };
}

/** `attachment` of ShowAttachment (`AttachmentResponse`): no router, no association. */
export function attachmentView(a: AttachmentSeed, at: Placement): Record<string, unknown> {
  const createdAt = a.created_at ?? SEEDED_TIMESTAMP;
  return {
    id: a.id,
    name: a.name,
    description: a.description ?? '',
    state: a.state ?? 'available',
    created_at: createdAt,
    updated_at: a.updated_at ?? createdAt,
    tags: tags(a.tags),
    project_id: at.projectId,
    resource_id: a.resource_id,
    resource_type: a.resource_type,
    resource_project_id: a.resource_project_id ?? at.projectId,
  };
}

/** An entry of ListAttachments (`AttachmentDetails`): the shown fields, its router and its association. */
export function listedAttachmentView(a: AttachmentSeed, at: Placement, association: AttachmentAssociation): Record<string, unknown> {
  return { ...attachmentView(a, at), er_id: a.er_id, associated: association.associated, route_table_id: association.route_table_id };
}
