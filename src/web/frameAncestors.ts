/**
 * The origins allowed to frame Laurel (CSP frame-ancestors) and to receive its form posts
 * (form-action): those of the registered platforms. Reloaded after a registration and every
 * minute, so several Laurel instances agree.
 */
import { listPlatforms } from '../lti/platforms.js';

export class PlatformOrigins {
  private origins: string[] = [];
  private timer?: NodeJS.Timeout;

  list(): string[] {
    return this.origins;
  }

  async refresh(): Promise<void> {
    const platforms = await listPlatforms();
    const origins = new Set<string>();
    for (const p of platforms) {
      for (const url of [p.issuer, p.authEndpoint, p.tokenEndpoint]) {
        try { origins.add(new URL(url).origin); } catch { /* a bad URL was refused at registration */ }
      }
    }
    this.origins = [...origins].sort();
  }

  start(everyMs = 60_000, onError: (err: unknown) => void = () => {}): void {
    this.timer = setInterval(() => { this.refresh().catch(onError); }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
