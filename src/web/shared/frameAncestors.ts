/**
 * The origins allowed to frame Laurel (CSP frame-ancestors) and to receive its form posts
 * (form-action, the deep-linking return): those of the registered platforms (issuer, login,
 * token), and the sites each
 * platform really shows Laurel from (store/frameOrigins.ts: learned from validated launches or
 * configured by an administrator). Reloaded after a registration and every minute, so several
 * Laurel instances agree; a launch adds its own origins at once (remember), so the page it
 * answers and the pages after it may be framed before the next reload.
 */
import type { Response } from 'express';
import { listPlatforms } from '../../lti/platforms.js';
import { allFrameOrigins, platformKey } from '../../store/frameOrigins.js';

/** The sites a platform is known to show Laurel from (PlatformOrigins.ofPlatform): who may answer `_parent` storage. */
export type StorageOrigins = (issuer: string, clientId: string) => string[];

export class PlatformOrigins {
  private frames: string[] = [];
  /** The same, per platform (issuer + client id): who may answer its Platform Storage (web/lti/login.ts). */
  private byPlatform = new Map<string, string[]>();
  private timer?: NodeJS.Timeout;

  /**
   * Who may frame Laurel, and where its forms may post (Canvas's deep_link_return_url is on the
   * school's host): the platforms' endpoints and the sites they show Laurel from.
   */
  frameAncestors(): string[] {
    return this.frames;
  }

  /**
   * The sites one platform shows Laurel from: its registration's endpoints, and the sites learned
   * from its launches or configured for it. Empty for a platform Laurel does not know.
   */
  ofPlatform(issuer: string, clientId: string): string[] {
    return this.byPlatform.get(platformKey(issuer, clientId)) ?? [];
  }

  /** Origins a validated launch just showed; kept until the next reload finds them stored. */
  remember(origins: string[], platform?: { issuer: string; clientId: string }): void {
    const missing = origins.filter((o) => !this.frames.includes(o));
    if (missing.length) this.frames = [...this.frames, ...missing].sort();
    if (!platform) return;
    const key = platformKey(platform.issuer, platform.clientId);
    const own = this.byPlatform.get(key) ?? [];
    const added = origins.filter((o) => !own.includes(o));
    if (added.length) this.byPlatform.set(key, [...own, ...added].sort());
  }

  async refresh(): Promise<void> {
    const [platforms, frameOrigins] = await Promise.all([listPlatforms(), allFrameOrigins()]);
    const frames = new Set<string>();
    const byPlatform = new Map<string, string[]>();
    for (const p of platforms) {
      const key = platformKey(p.issuer, p.clientId);
      const own = new Set<string>();
      for (const url of [p.issuer, p.authEndpoint, p.tokenEndpoint]) {
        try { own.add(new URL(url).origin); } catch { /* a bad URL was refused at registration */ }
      }
      // A removed platform's sites go with it.
      for (const o of frameOrigins.get(key) ?? []) own.add(o);
      for (const o of own) frames.add(o);
      byPlatform.set(key, [...own].sort());
    }
    this.frames = [...frames].sort();
    this.byPlatform = byPlatform;
  }

  start(everyMs = 60_000, onError: (err: unknown) => void = () => {}): void {
    this.timer = setInterval(() => { this.refresh().catch(onError); }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A page any site may frame: a refused launch's explanation (no session, no data, no action),
 * which must show in the platform's page even when no validated launch has named its host yet.
 */
export function frameableByAnySite(res: Response): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') res.setHeader('Content-Security-Policy', csp.replace(/(^|;)(\s*frame-ancestors)[^;]*/, '$1$2 *'));
}

/**
 * Adds origins to the frame-ancestors and form-action of a response whose CSP is already set
 * (helmet runs first): the launch's page must be frameable by the site that launched it from its
 * very first launch, before any reload, and a deep-linking page must post back to that site.
 */
export function allowFramingBy(res: Response, origins: string[]): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string' || origins.length === 0) return;
  res.setHeader('Content-Security-Policy', csp.replace(/(^|;)(\s*(?:frame-ancestors|form-action))([^;]*)/g, (_m, sep: string, name: string, list: string) => {
    const have = list.trim().split(/\s+/).filter(Boolean);
    if (have.includes('*')) return `${sep}${name}${list}`;
    return `${sep}${name} ${[...have, ...origins.filter((o) => !have.includes(o))].join(' ')}`;
  }));
}
