// What a policy file says, once loaded and checked (policy-file.ts reads it): who may make which
// change where (permission rules), and what no change may ever break (routing invariants). The
// permission engine (permissions.ts) and the invariant engine (invariants.ts) read this model;
// the gate asks both before a person is shown a plan.

/** What a write tool does, as a policy names it. */
export type PolicyAction = 'associate' | 'disassociate' | 'propagate' | 'stop_propagating' | 'create_static_route' | 'delete_static_route';

export const POLICY_ACTIONS: readonly PolicyAction[] = ['associate', 'disassociate', 'propagate', 'stop_propagating', 'create_static_route', 'delete_static_route'];

/** The action each write tool performs. */
export const ACTION_OF_TOOL: Readonly<Record<string, PolicyAction>> = {
  create_route_association: 'associate',
  delete_route_association: 'disassociate',
  create_route_propagation: 'propagate',
  delete_route_propagation: 'stop_propagating',
  create_static_route: 'create_static_route',
  delete_static_route: 'delete_static_route',
};

/** Where a rule or an invariant was written, for the messages that name it. */
export interface Origin {
  /** The rule's or invariant's own name in the file. */
  name: string;
  /** 1-based line in the policy file. */
  line: number;
}

/**
 * A router, route table or attachment as a policy names it: by ID, or by name. A name may end in
 * `*` to match every name with that start (`rtb-dev*`); an ID is matched exactly.
 */
export type ResourceRef = { id: string } | { name: string };

/** Who a rule is about; a caller matches when any one of the listed kinds matches. */
export interface CallerMatch {
  /** Static token names (`--token-file`), as in `token:<name>`. */
  tokens?: string[];
  /** JWT subjects (the `sub` claim). */
  subjects?: string[];
  /** Values of the configured groups/roles claim of a JWT. */
  groups?: string[];
  /** The local user on stdio (and on a loopback HTTP server without authentication). */
  local?: boolean;
  /** Every caller. */
  anyone?: boolean;
}

export interface PermissionRule extends Origin {
  callers: CallerMatch;
  /** The actions this rule allows. */
  actions: PolicyAction[];
  /** Where: absent means anywhere; present, the target must match one entry of each list given. */
  routers?: ResourceRef[];
  route_tables?: ResourceRef[];
  attachments?: ResourceRef[];
  /** Changes this rule allows also need a second person's approval (with the change control of the gate). */
  require_second_person?: boolean;
}

/** A set of attachments an invariant is about. An attachment is in it when any one criterion matches. */
export interface AttachmentSet {
  /** Attachments associated with one of these route tables (after the change, for a plan). */
  associated_with?: ResourceRef[];
  /** These attachments, by ID or name (a name may end in `*`). */
  attachments?: ResourceRef[];
}

/**
 * Where an invariant applies. Without `router` it applies on every router: there, a table or
 * attachment it names by ID or exact name must exist, or it cannot be evaluated (unknown, fail
 * closed). With it, it applies only on that router and is skipped on the others.
 */
export interface InvariantScope {
  router?: ResourceRef;
}

export type Invariant =
  | (Origin & InvariantScope & {
      kind: 'no_reach';
      /** These attachments must not reach any address in `prefix`. */
      from: AttachmentSet;
      prefix: string;
    })
  | (Origin & InvariantScope & {
      kind: 'routes_to';
      /** In this table, the route `prefix` follows as a whole (its own, or the longest containing) goes to this attachment alone; routes inside it are other destinations. */
      route_table: ResourceRef;
      prefix: string;
      attachment: ResourceRef;
    })
  | (Origin & InvariantScope & {
      kind: 'blackholed';
      /** In this table, traffic to `prefix` is dropped (longest-prefix match, and nothing more specific carries any of it). */
      route_table: ResourceRef;
      prefix: string;
    });

export interface Policy {
  /** Where it was read from, for messages. */
  source: string;
  /** The JWT claim whose values `groups` matches (default `groups`). */
  groupsClaim: string;
  rules: PermissionRule[];
  invariants: Invariant[];
}

/** A caller as the policy sees it (the transport fills it: a token's name, a JWT's subject and groups). */
export interface CallerIdentity {
  /** The name sessions, plans and the audit use (`token:<name>`, `jwt:<issuer>#<sub>`, `stdio:<user>`, `http:loopback`). */
  caller: string;
  /** Set for a static token. */
  tokenName?: string;
  /** Set for a JWT. */
  subject?: string;
  /** The groups/roles claim's values of a JWT; empty otherwise. */
  groups: string[];
  /** The local user: stdio, or a loopback HTTP server without authentication. */
  local: boolean;
}

/** The resources a change touches, with the names its plan read (null where unknown). */
export interface PolicyTarget {
  router: { id: string; name: string | null };
  route_table: { id: string; name: string | null };
  /** The attachment linked, or a static route's next hop; absent for a blackhole. */
  attachment?: { id: string; name: string | null };
}

/** The answer of the permission rules for one change. */
export type PermissionDecision =
  | { allowed: true; rule: Origin; requireSecondPerson: boolean }
  | { allowed: false; reason: string; rule: Origin | null };

/** One invariant on one routing state: whether it holds, and what breaks it if not. */
export interface InvariantResult extends Origin {
  kind: Invariant['kind'];
  holds: boolean;
  /** One sentence: what holds, or which route or reachability breaks it. */
  message: string;
  /** Set when evaluation lacked what it needed (a table not read): the invariant is treated as broken (fail closed). */
  unknown?: boolean;
}
