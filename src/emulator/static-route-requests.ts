// The bodies of CreateStaticRoute and UpdateStaticRoute, read and checked as the API reference
// describes them: `{"route": {destination, attachment_id, is_blackhole, description}}`, a next hop
// or a blackhole but never both, a destination that is a CIDR block. What the reference leaves
// open is decided here, each choice marked UNVERIFIED.
import { contains, format, parsePrefix } from '../er/cidr.js';
import { ApiError } from './api-error.js';
import { jsonBody } from './http-io.js';

/** Where a route goes: through one attachment, or nowhere (a blackhole, `attachmentId` absent). */
export interface RouteTarget {
  attachmentId?: string;
}

export interface CreateRouteRequest {
  /** The CIDR block, written canonically (IPv6 lower case and compressed). */
  destination: string;
  target: RouteTarget;
  description: string;
}

export interface UpdateRouteRequest {
  /** Absent when the body names neither a next hop nor a blackhole: the route keeps its own. */
  target?: RouteTarget;
  description?: string;
}

const MAX_DESTINATION = 256;
const MAX_DESCRIPTION = 255;

/** Destinations the reference refuses (ER.04006104), with every subnet of them. */
const RESERVED = ['127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4'].map((text) => parsePrefix(text)!);

export function createRequestFrom(body: Buffer): CreateRouteRequest {
  const route = routeObject(body);
  const destination = optionalString(route, 'destination', MAX_DESTINATION);
  if (destination === undefined) throw invalid('route.destination is required.');
  const target = targetOf(route) ?? targetFrom(undefined, false);
  return { destination: checkedDestination(destination), target, description: optionalString(route, 'description', MAX_DESCRIPTION) ?? '' };
}

export function updateRequestFrom(body: Buffer): UpdateRouteRequest {
  const route = routeObject(body);
  // UNVERIFIED: UpdateRoute has no destination field; a body that sends one is refused rather
  // than ignored, so a client that believes it can move a route finds out.
  if (route.destination !== undefined) throw invalid('The destination of a static route cannot be changed.');
  return { target: targetOf(route), description: optionalString(route, 'description', MAX_DESCRIPTION) };
}

/**
 * The destination written canonically, or the API's refusal. UNVERIFIED: whether the API refuses
 * or normalises a block with host bits set (`10.1.2.3/16`), IPv4 octets with leading zeros, or a
 * missing prefix length; the emulator refuses all three with the invalid-destination code.
 */
export function checkedDestination(text: string): string {
  const [address, length, extra] = text.split('/');
  const prefix = text === text.trim() && extra === undefined && length !== undefined && /^\d{1,3}$/.test(length) ? parsePrefix(text) : null;
  const whole = prefix && parsePrefix(address!);
  if (!prefix || !whole) throw new ApiError(400, 'ER.04006103', `The destination ${JSON.stringify(text)} is not a CIDR block.`);
  if (whole.network !== prefix.network || (prefix.version === 4 && format(prefix) !== text)) {
    throw new ApiError(400, 'ER.04006103', `The destination ${text} is not written as its network address (${format(prefix)}).`);
  }
  if (RESERVED.some((reserved) => contains(reserved, prefix))) {
    throw new ApiError(400, 'ER.04006104', `The destination ${text} is reserved (127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4).`);
  }
  return format(prefix);
}

function routeObject(body: Buffer): Record<string, unknown> {
  const route = jsonBody(body).route;
  if (route === null || typeof route !== 'object' || Array.isArray(route)) throw invalid('route must be an object.');
  return route as Record<string, unknown>;
}

/** The target the body names, or undefined when it names neither `attachment_id` nor `is_blackhole`. */
function targetOf(route: Record<string, unknown>): RouteTarget | undefined {
  const attachmentId = optionalString(route, 'attachment_id', 36);
  const isBlackhole = route.is_blackhole;
  if (isBlackhole !== undefined && typeof isBlackhole !== 'boolean') throw invalid('route.is_blackhole must be true or false.');
  if (attachmentId === undefined && isBlackhole === undefined) return undefined;
  return targetFrom(attachmentId, isBlackhole ?? false);
}

/** The reference's one constraint: a blackhole has no next hop, any other route has one. */
function targetFrom(attachmentId: string | undefined, isBlackhole: boolean): RouteTarget {
  if (isBlackhole && attachmentId !== undefined) throw new ApiError(400, 'ER.04006106', 'A blackhole route must not name an attachment_id.');
  if (!isBlackhole && attachmentId === undefined) throw new ApiError(400, 'ER.04006106', 'A route that is not a blackhole needs an attachment_id.');
  return isBlackhole ? {} : { attachmentId };
}

/** A string field of at most `max` characters; absent (or null) is undefined, anything else is refused. */
function optionalString(route: Record<string, unknown>, name: string, max: number): string | undefined {
  const value = route[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw invalid(`route.${name} must be a string of at most ${max} characters.`);
  return value;
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'ER.04009005', message);
}
