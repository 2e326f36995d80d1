// An authorization server on 127.0.0.1 for the sign-in tests, as strict as a real one where the
// sign-in's security rests on it: /authorize accepts only the registered client and redirect URI
// with an S256 challenge, and sends the browser back with a code for the subject the test chose;
// /token checks the client's authentication, that the code is fresh and was issued to that
// redirect URI, and that the verifier hashes to the challenge, then signs a JWT access token.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface FakeAuthorizationServerOptions {
  clientId: string;
  /** Null: a public client, which names itself in the token request's body and sends no secret. */
  clientSecret: string | null;
  /** The `aud` of the access tokens it issues. */
  audience: string;
  /** Publish metadata without authorization_endpoint and token_endpoint. */
  withoutEndpoints?: boolean;
}

/** Who signs in at /authorize: a subject and the scopes their token gets, or an error sent back instead. */
export type SignInAnswer = { subject: string; scope: string } | { error: string };

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  subject: string;
  scope: string;
  used: boolean;
}

export interface TokenRequest {
  authorization: string | undefined;
  form: URLSearchParams;
}

export class FakeAuthorizationServer {
  /** The next person to sign in (set by the test). */
  answer: SignInAnswer = { subject: 'bob@example.com', scope: 'er:read er:approve' };
  /** The redirect URI registered for the client (set once the server under test listens). */
  redirectUri = '';
  /** Answer token requests with this instead of checking them. */
  tokenAnswer: { status: number; body: string } | null = null;
  /** The `aud` of the next access tokens, when not the configured audience. */
  tokenAudience: string | null = null;
  readonly authorizeRequests: URLSearchParams[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  /** Why /authorize or /token refused, in order. */
  readonly refusals: string[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens: string[] = [];

  private constructor(
    private readonly server: Server,
    private readonly key: Key,
    private readonly jwk: JWK,
    private readonly options: FakeAuthorizationServerOptions,
  ) {}

  static async start(options: FakeAuthorizationServerOptions): Promise<FakeAuthorizationServer> {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'as-1', alg: 'ES256', use: 'sig' };
    const server = createServer();
    // Longer than its clients keep a connection: Node's 5 s default races a busy machine's late client.
    server.keepAliveTimeout = 65_000;
    const as = new FakeAuthorizationServer(server, pair.privateKey, jwk, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      as.handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return as;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get issuer(): string {
    return `${this.origin}/tenant`;
  }

  /** Every value a leak would matter for: codes, access tokens, the verifiers received, the client secret. */
  secrets(): string[] {
    const verifiers = this.tokenRequests.map((r) => r.form.get('code_verifier')).filter((v): v is string => Boolean(v));
    return [...this.codes.keys(), ...this.accessTokens, ...verifiers, ...(this.options.clientSecret ? [this.options.clientSecret] : [])];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname === '/.well-known/oauth-authorization-server/tenant') {
      const endpoints = this.options.withoutEndpoints ? {} : { authorization_endpoint: `${this.origin}/authorize`, token_endpoint: `${this.origin}/token` };
      return json(res, 200, { issuer: this.issuer, jwks_uri: `${this.origin}/keys`, ...endpoints, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] });
    }
    if (url.pathname === '/keys') return json(res, 200, { keys: [this.jwk] });
    if (url.pathname === '/authorize' && req.method === 'GET') return this.authorize(url.searchParams, res);
    if (url.pathname === '/token' && req.method === 'POST') return this.token(req, res);
    res.writeHead(404).end();
  }

  /** A real server shows its own error page, and never redirects, for a client or redirect URI it does not know. */
  private authorize(params: URLSearchParams, res: ServerResponse): void {
    this.authorizeRequests.push(params);
    const problem =
      params.get('client_id') !== this.options.clientId ? 'unknown client_id'
      : params.get('redirect_uri') !== this.redirectUri ? 'unregistered redirect_uri'
      : params.get('response_type') !== 'code' ? 'response_type is not code'
      : params.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(params.get('code_challenge') ?? '') ? 'no S256 code_challenge'
      : null;
    if (problem) {
      this.refusals.push(problem);
      res.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
      return;
    }
    const back = new URL(this.redirectUri);
    if ('error' in this.answer) back.searchParams.set('error', this.answer.error);
    else {
      const code = randomBytes(24).toString('base64url');
      this.codes.set(code, { challenge: params.get('code_challenge')!, redirectUri: this.redirectUri, subject: this.answer.subject, scope: this.answer.scope, used: false });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', params.get('state') ?? '');
    res.writeHead(302, { location: back.href }).end();
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const form = new URLSearchParams(text);
    this.tokenRequests.push({ authorization: req.headers.authorization, form });
    if (this.tokenAnswer) {
      res.writeHead(this.tokenAnswer.status, { 'content-type': 'application/json' }).end(this.tokenAnswer.body);
      return;
    }
    const clientProblem = this.clientProblem(req.headers.authorization, form);
    if (clientProblem) return this.refuse(res, 401, 'invalid_client', clientProblem);
    if (form.get('grant_type') !== 'authorization_code') return this.refuse(res, 400, 'unsupported_grant_type', 'grant_type');
    const issued = this.codes.get(form.get('code') ?? '');
    if (!issued || issued.used) return this.refuse(res, 400, 'invalid_grant', 'unknown or used code');
    issued.used = true;
    if (form.get('redirect_uri') !== issued.redirectUri) return this.refuse(res, 400, 'invalid_grant', 'redirect_uri differs');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return this.refuse(res, 400, 'invalid_grant', 'code_verifier does not match the challenge');
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ scope: issued.scope, client_id: this.options.clientId })
      .setProtectedHeader({ alg: 'ES256', kid: 'as-1' })
      .setIssuer(this.issuer)
      .setAudience(this.tokenAudience ?? this.options.audience)
      .setSubject(issued.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(this.key);
    this.accessTokens.push(accessToken);
    // An ID token naming someone else: the server must go by the access token, not by this.
    const idToken = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: this.issuer, sub: 'mallory', aud: this.options.clientId })).toString('base64url')}.`;
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope: issued.scope, id_token: idToken });
  }

  /** client_secret_basic for a confidential client; client_id in the body, and no secret, for a public one. */
  private clientProblem(authorization: string | undefined, form: URLSearchParams): string | null {
    const { clientId, clientSecret } = this.options;
    if (clientSecret === null) {
      if (authorization !== undefined || form.has('client_secret')) return 'a public client sent a secret';
      return form.get('client_id') === clientId ? null : 'client_id missing or wrong';
    }
    const basic = /^Basic (.+)$/.exec(authorization ?? '');
    if (!basic) return 'no client_secret_basic';
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    return id === clientId && secret === clientSecret ? null : 'wrong client credentials';
  }

  private refuse(res: ServerResponse, status: number, error: string, why: string): void {
    this.refusals.push(why);
    json(res, status, { error, error_description: why });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
