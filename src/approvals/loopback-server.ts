// The approval page on stdio: the MCP server is an IDE's child process with no HTTP server of
// its own, so a loopback listener is started when a plan needs a page, and stops after a while
// without requests. A fresh random key in every URL's path is the credential (only the person
// given the link has it); the approver is the local user. Only 127.0.0.1 and localhost are
// accepted as Host, so a web page whose name was rebound to 127.0.0.1 cannot reach it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { CsrfTokens } from './csrf.js';
import type { ApprovalDesk, Approver } from './desk.js';
import { sendProblem, wantsJson } from './page-answers.js';
import { type CsrfBinding, planIdIn, PlanRoutes } from './routes.js';

export interface LoopbackApprovalOptions {
  desk: ApprovalDesk;
  /** The local user: whoever has the link acts as them. */
  approver: Approver;
  log: Logger;
  /** Closes after this long without a request (or a new URL); default 10 minutes. */
  idleMs?: number;
  now?: () => number;
}

export const DEFAULT_IDLE_MS = 10 * 60_000;

interface Listener {
  server: Server;
  port: number;
  key: string;
  csrf: CsrfBinding;
  idle: NodeJS.Timeout;
}

/** Emits `close` each time its listener closes (idle, or close()). */
export class LoopbackApprovalServer extends EventEmitter<{ close: [] }> {
  private readonly routes: PlanRoutes;
  private readonly idleMs: number;
  /** The listener being started or running; undefined when none is. */
  private listening: Promise<Listener> | undefined;
  private current: Listener | undefined;

  constructor(private readonly options: LoopbackApprovalOptions) {
    super();
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.routes = new PlanRoutes({ desk: options.desk, log: options.log, ...(options.now ? { now: options.now } : {}) });
  }

  /** The page's URL, starting the listener if it is not running; the idle period starts again. */
  async urlFor(planId: string): Promise<string> {
    const listener = await this.running();
    listener.idle.refresh();
    return `http://127.0.0.1:${listener.port}/${listener.key}/approvals/${encodeURIComponent(planId)}`;
  }

  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    const listener = await listening?.catch(() => undefined);
    if (listener) await this.shut(listener);
  }

  private running(): Promise<Listener> {
    const listening = this.listening ?? this.listen();
    this.listening = listening;
    listening.catch(() => {
      if (this.listening === listening) this.listening = undefined;
    });
    return listening;
  }

  private async listen(): Promise<Listener> {
    const key = randomBytes(32).toString('base64url');
    const tokens = new CsrfTokens(Buffer.from(key));
    const server = createServer((req, res) => {
      this.handle(listener, req, res).catch((error: unknown) => {
        this.options.log.error({ err: error instanceof Error ? error.message : String(error) }, 'approval page request failed');
        sendProblem(res, wantsJson(req), { status: 500, code: 'INTERNAL', message: 'Internal error' });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const listener: Listener = {
      server,
      port: (server.address() as AddressInfo).port,
      key,
      csrf: { tokenFor: (planId) => tokens.tokenFor(planId), verify: (planId, token) => tokens.verify(token, planId) },
      // Unref'd: a page nobody opens must not keep the process alive.
      idle: setTimeout(() => void this.idleOut(listener), this.idleMs).unref(),
    };
    server.once('close', () => this.emit('close'));
    this.current = listener;
    // The port is logged, never the URL: its key is the credential.
    this.options.log.info({ port: listener.port }, 'approval page listening on 127.0.0.1');
    return listener;
  }

  private async handle(listener: Listener, req: IncomingMessage, res: ServerResponse): Promise<void> {
    listener.idle.refresh();
    const host = req.headers.host;
    if (host !== `127.0.0.1:${listener.port}` && host !== `localhost:${listener.port}`) {
      return sendProblem(res, wantsJson(req), { status: 403, code: 'HOST_NOT_ALLOWED', message: 'Open the page at the address you were given' });
    }
    const match = /^\/([^/?]+)\/approvals\/([^/?]+)(?:\?.*)?$/.exec(req.url ?? '/');
    const planId = match && sameKey(match[1]!, listener.key) ? planIdIn(match[2]!) : undefined;
    // A wrong key and a path that is not a page answer alike: nothing tells a guess it came close.
    if (planId === undefined) return sendProblem(res, wantsJson(req), { status: 404, code: 'NOT_FOUND', message: 'Nothing here' });
    await this.routes.handle(req, res, { planId, caller: { approver: this.options.approver, csrf: listener.csrf }, ownOrigin: `http://${host}` });
  }

  private async idleOut(listener: Listener): Promise<void> {
    this.options.log.info({ port: listener.port, idle_ms: this.idleMs }, 'approval page closed after being idle');
    await this.shut(listener);
  }

  private async shut(listener: Listener): Promise<void> {
    clearTimeout(listener.idle);
    if (this.current === listener) {
      this.current = undefined;
      this.listening = undefined;
    }
    const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
    listener.server.closeAllConnections();
    await closed;
  }
}

function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}
