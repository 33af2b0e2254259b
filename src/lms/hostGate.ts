/**
 * How many requests this process has under way to one LMS at once, whatever course they are for.
 * The scheduler evaluates several courses at once, and each course reads its columns 32 at a
 * time: without a bound per LMS, four courses of one platform would be four times the traffic.
 * The bound is the LMS's to set: it starts at what one course uses, halves whenever the LMS
 * throttles (429, Canvas's 403 "Rate Limit Exceeded") and grows back by one request for each
 * round of answers without throttling, up to twice that (additive increase, multiplicative
 * decrease, as TCP shares a link). One gate per host: an LMS's LTI services and its own API share
 * its servers; Canvas's per-token bucket is paced besides (canvasApi.ts).
 */

export interface GateLimits {
  /** Requests under way at first, and after a quiet spell. */
  initial: number;
  /** The most, once the LMS has answered many rounds without throttling. */
  max: number;
  /** The least, however much the LMS throttles: one request at a time. */
  min: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = { initial: 32, max: 64, min: 1 };

export class HostGate {
  private inFlight = 0;
  private current: number;
  /** Answers without throttling since the limit last grew. */
  private calm = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: GateLimits = DEFAULT_GATE_LIMITS) {
    this.current = limits.initial;
  }

  /** The bound now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  /** Requests under way now. */
  get active(): number {
    return this.inFlight;
  }

  /** Resolves when a request may go; call done() once its answer has come. */
  async enter(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((go) => this.waiting.push(go));
  }

  /** A request is over: `throttled` when the LMS refused it for going too fast. */
  done(throttled: boolean): void {
    if (throttled) {
      this.current = Math.max(this.limits.min, this.current / 2);
      this.calm = 0;
    } else if (++this.calm >= this.limit && this.current < this.limits.max) {
      this.current += 1;
      this.calm = 0;
    }
    this.inFlight--;
    // The freed place (and any the limit gained) goes to those waiting, in order.
    while (this.waiting.length && this.inFlight < this.limit) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}

/** The gates of this process, one per LMS host. */
export class HostGates {
  private readonly gates = new Map<string, HostGate>();

  constructor(private readonly limits: GateLimits = DEFAULT_GATE_LIMITS) {}

  of(url: string): HostGate {
    const host = new URL(url).host;
    let gate = this.gates.get(host);
    if (!gate) this.gates.set(host, (gate = new HostGate(this.limits)));
    return gate;
  }
}

/** Every LMS client of this process shares these, whatever course it reads. */
export const processGates = new HostGates();
