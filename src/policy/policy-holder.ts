// The policy in force, and its replacement on reload (SIGHUP, see cli.ts). Reading and checking
// happen before anything changes: a new file that does not load leaves the old policy in force,
// so the policy a call sees is always one that loaded whole.
//
// cli.ts creates the holder only with --policy (or HUAWEICLOUD_ER_MCP_POLICY) and hands it to
// createGate (GateOptions.policy) and createServer (ServerOptions.policy). Those modules import it
// as a type only: this module, the file reader and the YAML package are loaded by import() when a
// policy is configured, and never otherwise (test/e2e/lazy-load.test.ts).
import type { Policy } from './model.js';
import { loadPolicyFile, PolicyFileError } from './policy-file.js';

export type ReloadResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };
export type PolicyListener = (policy: Policy, previous: Policy | null) => void;

export class PolicyHolder {
  #policy: Policy | null = null;
  readonly #listeners = new Set<PolicyListener>();

  /** `read` loads and checks the file (loadPolicyFile unless a test brings its own). */
  constructor(
    readonly path: string,
    private readonly read: (path: string) => Policy = loadPolicyFile,
  ) {}

  /** A holder of a policy that is not read from a file, for tests. reload() keeps it. */
  static of(policy: Policy): PolicyHolder {
    const holder = new PolicyHolder(policy.source, () => policy);
    holder.reload();
    return holder;
  }

  /**
   * The policy in force; null only before the first successful reload(). The CLI never hands on
   * a holder whose first load failed (it exits 2), so a null here is a bug to fail closed on.
   */
  current(): Policy | null {
    return this.#policy;
  }

  /**
   * Reads the file again. Loaded whole, the new policy is in force for every call that starts from
   * now on (a call already past its checks keeps the policy it was checked with), and each onChange
   * listener is told. Otherwise nothing changes and the errors say why.
   */
  reload(): ReloadResult {
    let next: Policy;
    try {
      next = this.read(this.path);
    } catch (error) {
      if (error instanceof PolicyFileError) return { ok: false, errors: error.errors };
      return { ok: false, errors: [`${this.path}: ${error instanceof Error ? error.message : String(error)}`] };
    }
    const previous = this.#policy;
    this.#policy = next;
    let failure: unknown;
    for (const listener of this.#listeners) {
      try {
        listener(next, previous);
      } catch (error) {
        failure ??= error;
      }
    }
    // The new policy is in force either way; a listener's failure is its caller's to report.
    if (failure !== undefined) throw failure;
    return { ok: true, policy: next };
  }

  /** Called after each successful reload with the new policy and the one it replaced; returns an unsubscribe. */
  onChange(listener: PolicyListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
