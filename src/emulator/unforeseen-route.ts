// The fault plan's `unforeseenRoute` (faults.ts): a route table whose association, propagation or
// static route takes effect (becomes available, or a route's update ends), or is removed, gains a
// static route that no plan could predict, as if an operator or another system changed the table
// at that same moment. It exists so that the server's check of a table after a write meets a
// table that did not end as planned. Nothing is stored as a static route: effectiveRoutes
// (propagations.ts) asks here and adds it on read.
import { addedStaticRouteId, type CandidateRoute, type NextHop } from './routing.js';

export class UnforeseenRoute {
  /** Per route table, the earliest binding change: when it takes effect, and whose it is. */
  private readonly firstChange = new Map<string, { atMs: number; attachmentId: string }>();

  constructor(private readonly destination: string) {}

  /** A binding of the attachment on the table takes effect at `atMs` (becomes available, or is removed). */
  noteChange(routeTableId: string, attachmentId: string, atMs: number): void {
    const known = this.firstChange.get(routeTableId);
    if (!known || atMs < known.atMs) this.firstChange.set(routeTableId, { atMs, attachmentId });
  }

  /**
   * The route the table has gained by `nowMs`, if any. Static, via the attachment with the lowest
   * id among the router's others than the one whose binding changed, so the same requests give the
   * same route; a blackhole when the router has no other attachment.
   */
  routeFor(routeTableId: string, routerHops: readonly NextHop[], nowMs: number): CandidateRoute | undefined {
    const change = this.firstChange.get(routeTableId);
    if (!change || nowMs < change.atMs) return undefined;
    const [other] = routerHops.filter((h) => h.attachment_id !== change.attachmentId).sort((a, b) => (a.attachment_id < b.attachment_id ? -1 : 1));
    const id = addedStaticRouteId(routeTableId, this.destination);
    return other
      ? { id, destination: this.destination, origin: 'static', is_blackhole: false, next_hop: other }
      : { id, destination: this.destination, origin: 'static', is_blackhole: true };
  }
}
