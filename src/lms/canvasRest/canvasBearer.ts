/**
 * The access token of one Canvas grant for the REST API, refreshed a minute before it expires
 * or when Canvas answers 401 to it. Concurrent requests share one refresh, so a run never
 * spends two refreshes on one expiry.
 */
import { LmsError } from '../errors.js';
import type { TokenSource, Transport } from '../http.js';
import { refreshCanvasToken, type CanvasDeveloperKey, type CanvasTokens } from './canvasOAuth.js';

const RENEW_BEFORE_EXPIRY_MS = 60_000;

export interface CanvasBearerOptions {
  key: CanvasDeveloperKey;
  tokens: CanvasTokens;
  transport: Transport;
  /** Stores refreshed tokens, so the next run starts from them. */
  onRefreshed?: (t: CanvasTokens) => Promise<void>;
}

export class CanvasBearer implements TokenSource {
  private tokens: CanvasTokens;
  /** Canvas answered 401 to the current access token: expired early or revoked. */
  private stale = false;
  private refreshing?: Promise<CanvasTokens>;
  /** Canvas refused the refresh: the grant is gone, and asking again for each request would not bring it back. */
  private refusal?: LmsError;

  constructor(private readonly o: CanvasBearerOptions) {
    this.tokens = o.tokens;
  }

  /** The scopes are those of the developer key, fixed at authorisation: nothing to choose from. */
  async get(): Promise<string> {
    if (this.refusal) throw this.refusal;
    const fresh = this.tokens.expiresAt.getTime() - RENEW_BEFORE_EXPIRY_MS > this.o.transport.now().getTime();
    if (fresh && !this.stale) return this.tokens.accessToken;
    return (await this.refresh()).accessToken;
  }

  invalidate(token: string): void {
    if (token === this.tokens.accessToken) this.stale = true;
  }

  /** A refused refresh throws the 'reconnect' LmsError refreshCanvasToken makes. */
  private refresh(): Promise<CanvasTokens> {
    this.refreshing ??= (async () => {
      const t = await refreshCanvasToken(this.o.key, this.tokens.refreshToken, this.o.transport).catch((err: unknown) => {
        if (err instanceof LmsError && err.kind === 'reconnect') this.refusal = err;
        throw err;
      });
      this.tokens = t;
      this.stale = false;
      await this.o.onRefreshed?.(t);
      return t;
    })().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }
}
