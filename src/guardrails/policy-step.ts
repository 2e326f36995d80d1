// The policy step of a write: with a policy loaded, after the plan is made (or re-read) and
// before a person is asked or a dry run answers. First the permission rules (who may do this
// here: POLICY_DENIED names the rule), then whether the approval the rule asks for can be had at
// all (a second person), then the invariants on the routing state the plan predicts
// (POLICY_VIOLATION names each one that breaks). A dry run is refused only by the permissions:
// it shows which invariants hold and which would break, and says why applying it would be
// refused. Whatever cannot be evaluated counts as broken: the write does not happen.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../http/clock.js';
import type { PlanRecord } from '../plans/plan-book.js';
import { type CheckInvariants, checkInvariants } from './policy-invariants.js';
import { ACTION_OF_TOOL, type InvariantResult, type Origin, type Policy, type PolicyTarget } from '../policy/model.js';
import { decide } from '../policy/permissions.js';
import type { WriteTarget } from '../tools/definition.js';
import { describeError, errorCodeOf } from '../toolkit/results.js';
import type { CallObserver } from '../observe/observer.js';
import type { PolicyAudit } from './audit.js';
import type { WriteRequest } from './gate.js';
import { refusal } from './gate-answers.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import { withDeadline } from './plan-step.js';

export interface PolicyStepOptions {
  settings: GuardrailSettings;
  clock: Clock;
  /** The invariant engine; a test may bring a fake one. */
  checkInvariants?: CheckInvariants;
}

/** The `policy` field of a dry run's answer. */
export interface DryRunPolicy {
  /** The rule that allows the change. */
  rule: Origin;
  /** Whether a person other than the requester must approve it (a rule says so). */
  second_person_required: boolean;
  /** Every invariant on the routing state the plan predicts after the change. */
  invariants: InvariantResult[];
}

export interface PolicyClearance {
  /** What the audit lines of this write carry. */
  audit: PolicyAudit;
  /** For a dry run's answer. */
  answer: DryRunPolicy;
  /** Why applying this plan would be refused (a dry run goes on to answer, and says so); null: it would not. */
  blocked: string | null;
}

export type PolicyVerdict = { go: PolicyClearance } | { stop: { guardrail: string; outcome: 'refused'; result: CallToolResult; audit: PolicyAudit } };

export class PolicyStep {
  private readonly check: CheckInvariants;

  constructor(private readonly options: PolicyStepOptions) {
    this.check = options.checkInvariants ?? checkInvariants;
  }

  /** The policy's answer for this call's plan; a go marks on the plan whether a second person must approve it. */
  async clear(policy: Policy, record: PlanRecord, request: WriteRequest): Promise<PolicyVerdict> {
    const verdict = await this.verdict(policy, record, request);
    report(verdict, request.call.observe);
    return verdict;
  }

  private async verdict(policy: Policy, record: PlanRecord, request: WriteRequest): Promise<PolicyVerdict> {
    const { tool, session } = request;
    const dryRun = request.args.dry_run === true;
    const who = session.identity;
    const action = ACTION_OF_TOOL[tool.name];
    if (action === undefined) {
      // A write tool the policy model has no action for: nothing can allow it.
      const audit = { policy_rule: null };
      return { stop: { guardrail: 'policy_denied', outcome: 'refused', audit, result: refusal('POLICY_DENIED', `The policy (${policy.source}) has no action for ${tool.name}, so no rule can allow it: nothing was sent.`, 'This is a server bug; report it.', { rule: null, policy_rule: null }) } };
    }
    const target = policyTargetOf(record.target as WriteTarget, record.made.plan);
    const decision = decide(policy, who, action, target);
    if (!decision.allowed) {
      const audit = { policy_rule: decision.rule?.name ?? null };
      return {
        stop: {
          guardrail: 'policy_denied',
          outcome: 'refused',
          audit,
          result: refusal(
            'POLICY_DENIED',
            `${decision.reason} Nothing was sent.`,
            `Do not retry this change as it is. Ask whoever maintains the policy (${policy.source}) for a rule that allows it, or make only changes your rules allow.`,
            { rule: decision.rule, policy_rule: decision.rule?.name ?? null },
          ),
        },
      };
    }
    const rule = decision.rule;
    record.policy = { rule: rule.name, secondPerson: decision.requireSecondPerson };
    const audit: PolicyAudit = { policy_rule: rule.name };

    const noSecond = decision.requireSecondPerson ? this.noSecondPerson(policy, rule, who.local) : null;
    if (noSecond && !dryRun) {
      return { stop: { guardrail: 'policy_second_person', outcome: 'refused', audit, result: refusal('POLICY_DENIED', `${noSecond.message} Nothing was sent.`, noSecond.hint, { rule, policy_rule: rule.name, second_person_required: true }) } };
    }

    let invariants: InvariantResult[] = [];
    let before: InvariantResult[] | undefined;
    if (policy.invariants.length > 0) {
      try {
        ({ after: invariants, before } = await this.check(policy.invariants, { tool: tool.name, target: record.target, made: record.made }, withDeadline(this.options.clock, request.call)));
      } catch (error) {
        const described = describeError(error, { ids: { er_id: record.target.er_id as string, route_table_id: record.target.route_table_id as string }, nowMs: this.options.clock.now() });
        return {
          stop: {
            guardrail: 'policy_unavailable',
            outcome: 'refused',
            audit,
            result: refusal(
              'POLICY_UNAVAILABLE',
              `The routing state the policy's invariants are checked on could not be read (${described.error_msg.slice(0, 300)}): the change could not be checked, so nothing was sent.`,
              `${described.hint} Call again; nothing is sent until the invariants can be checked.`,
              { rule, policy_rule: rule.name, retryable: described.retryable },
            ),
          },
        };
      }
    }
    const broken = invariants.filter((r) => !r.holds || r.unknown === true);
    const violation = broken.length > 0 ? violationMessage(policy, broken, before) : null;
    if (violation && !dryRun) {
      return {
        stop: {
          guardrail: 'policy_violation',
          outcome: 'refused',
          audit: { ...audit, policy_violations: broken.map((r) => r.name) },
          result: refusal(
            'POLICY_VIOLATION',
            `${violation} Nothing was sent.`,
            'Do not retry this change as it is: change what is asked so every invariant holds, or ask whoever maintains the policy. A dry run shows which invariants hold and which would break.',
            { rule, policy_rule: rule.name, violations: broken, invariants },
          ),
        },
      };
    }
    return {
      go: {
        audit: broken.length > 0 ? { ...audit, policy_violations: broken.map((r) => r.name) } : audit,
        answer: { rule, second_person_required: decision.requireSecondPerson, invariants },
        blocked: [violation && `it would be refused (POLICY_VIOLATION): ${violation}`, noSecond && `it would be refused (POLICY_DENIED): ${noSecond.message}`].filter(Boolean).join(' ') || null,
      },
    };
  }

  /** Why the second person a rule asks for cannot be had here, or null. */
  private noSecondPerson(policy: Policy, rule: Origin, local: boolean): { message: string; hint: string } | null {
    const asks = `Rule ${rule.name} (line ${rule.line}) of the policy (${policy.source}) requires a second person to approve this change`;
    if (local) {
      return {
        message: `${asks}, and on this connection every caller is the same local user (stdio, or an HTTP server on loopback without authentication), so a second person cannot be told apart from the requester.`,
        hint: 'Make this change through a server started with serve --http and tokens or OAuth, where another person with er:approve can approve it.',
      };
    }
    if (this.options.settings.confirmWrites === 'never') {
      return { message: `${asks}, and this server asks nobody before a write (--confirm-writes never).`, hint: 'Ask the operator to run the server with approvals (without --confirm-writes never) for changes this rule covers.' };
    }
    return null;
  }
}

/** The policy's verdict as the call's observer hears it: the rule that allowed, or what refused. */
function report(verdict: PolicyVerdict, observe: CallObserver): void {
  if ('stop' in verdict) {
    const { guardrail, result, audit } = verdict.stop;
    const step = guardrail === 'policy_violation' ? 'invariant' : 'policy';
    const why = guardrail === 'policy_violation' ? `breaks ${audit.policy_violations?.join(', ') ?? 'an invariant'}` : guardrail.replace(/_/g, ' ');
    observe.decision({ step, outcome: 'refused', code: errorCodeOf(result), detail: `The policy refused the write (${why}): nothing was sent.` });
    return;
  }
  const { answer, blocked } = verdict.go;
  observe.decision({ step: 'policy', outcome: 'allowed', code: null, detail: `Policy rule ${answer.rule.name} allows the change${answer.second_person_required ? ', with a second person' : ''}.` });
  if (answer.invariants.length === 0) return;
  const broken = answer.invariants.filter((r) => !r.holds || r.unknown === true);
  if (broken.length === 0) observe.decision({ step: 'invariant', outcome: 'allowed', code: null, detail: `All ${answer.invariants.length} invariants of the policy hold after the change.` });
  // Only a dry run goes on with broken invariants: it answers, and applying it would be refused.
  else observe.decision({ step: 'invariant', outcome: 'refused', code: 'POLICY_VIOLATION', detail: `Dry run: the change would break ${broken.map((r) => r.name).join(', ')}${blocked ? ', so applying it would be refused' : ''}.` });
}

/** The resources a planned change touches, named as its plan read them (null where it could not). */
export function policyTargetOf(target: WriteTarget, plan: Record<string, unknown>): PolicyTarget {
  const nameIn = (value: unknown, id: string): string | null => {
    if (value === null || typeof value !== 'object') return null;
    const named = value as { id?: unknown; name?: unknown };
    return named.id === id && typeof named.name === 'string' ? named.name : null;
  };
  const hop = plan.next_hop as { attachment?: unknown } | null | undefined;
  const current = plan.current_route as { attachment_id?: unknown } | null | undefined;
  // A link's attachment; a new static route's next hop; for a static route's delete, the next hop it has now.
  const attachmentId = target.attachment_id ?? (typeof current?.attachment_id === 'string' ? current.attachment_id : undefined);
  const attachmentName = attachmentId === undefined ? null : (nameIn(plan.attachment, attachmentId) ?? nameIn(hop?.attachment, attachmentId));
  return {
    router: { id: target.er_id, name: nameIn(plan.router, target.er_id) },
    route_table: { id: target.route_table_id, name: nameIn(plan.route_table, target.route_table_id) },
    ...(attachmentId !== undefined ? { attachment: { id: attachmentId, name: attachmentName } } : {}),
  };
}

function violationMessage(policy: Policy, broken: readonly InvariantResult[], before: readonly InvariantResult[] | undefined): string {
  const items = broken.map((r) => {
    const was = before?.find((b) => b.name === r.name);
    const already = was && !was.holds && !r.unknown ? ' (already broken before this change: fix that first; check_routing_policy shows it)' : '';
    return `${r.name} (line ${r.line}, ${r.kind})${r.unknown ? ' could not be evaluated' : ''}: ${r.message}${already}`;
  });
  return `This change would break ${broken.length === 1 ? 'an invariant' : `${broken.length} invariants`} of the policy (${policy.source}): ${items.join('; ')}.`;
}
