/**
 * The retention pass: every platform once a day at most, whichever instance comes first. For
 * each platform, its courses not launched for its retention days (its administrator's own, else
 * RETENTION_DAYS) are trimmed (trimCourse.ts), each by one instance only; each trimmed course gets
 * an entry in its own audit log, and the platform's log a summary per course, in counts, never the
 * data. What the pass did is kept on the platform's settings for the admin page.
 *
 * Single winner without a conditional update (FerretDB's is a read then a write): the platform's
 * day is claimed by an insert (store/writeClaim.ts), and so is each course in the state it was
 * found in (its last launch), so two instances, or a pass running past midnight beside the next,
 * trim a course once. A pass cut short leaves its courses' claims to expire, and a later day's pass
 * finishes them (the trimming is idempotent).
 */
import type { Logger } from 'pino';
import { listPlatforms } from '../../lti/platforms.js';
import { CourseModel, type CourseRecord } from '../../store/course.js';
import { claimOnce } from '../../store/writeClaim.js';
import { recordAudit, registrationKey } from '../../store/auditLog.js';
import { noteRetentionPass, platformSettingsOf, type RetentionPassRecord } from '../../store/platformSettings.js';
import { isDueForRetention, retentionCutoff, retentionDay, retentionDaysOf } from './dueForRetention.js';
import { nothingTrimmed, trimCourse, trimmedAnything, type CourseTrim } from './trimCourse.js';
import { retentionSummary } from './retentionSummary.js';

export interface Registration { issuer: string; clientId: string }

/** A course's claim is kept longer than trimming one course can take; then a later pass may finish it. */
const COURSE_CLAIM_MS = 3600_000;
/** The platform's day is claimed past its end, so the claim outlives the day it names. */
const DAY_CLAIM_MS = 2 * 24 * 3600_000;

/** The courses of the platform due now, found by the platform's index on its latest launches. */
export async function coursesDue(p: Registration, days: number, now: Date): Promise<CourseRecord[]> {
  const cutoff = retentionCutoff(days, now);
  if (!cutoff) return [];
  const old = await CourseModel.find({ issuer: p.issuer, clientId: p.clientId, lastLaunchAt: { $lt: cutoff } }).lean();
  return old.filter((c) => isDueForRetention(c, days, now));
}

/**
 * Trims the platform's due courses (those another instance has not claimed) and records what was
 * removed. Answers the pass's record, as stored for the admin page.
 */
export async function retainPlatform(p: Registration, serverDays: number, logger: Logger, now = new Date()): Promise<RetentionPassRecord> {
  const days = retentionDaysOf((await platformSettingsOf(p.issuer, p.clientId)).retentionDays, serverDays);
  const total: RetentionPassRecord = { at: now, days, courses: 0, ...nothingTrimmed() };
  for (const course of await coursesDue(p, days, now)) {
    if (!(await claimOnce(`retention ${course.courseKey} ${course.lastLaunchAt.toISOString()}`, new Date(now.getTime() + COURSE_CLAIM_MS)))) continue;
    const trim = await trimCourse(course.courseKey, now);
    if (!trimmedAnything(trim)) continue;
    await recordRetention(p, course, trim, now);
    logger.info({ courseKey: course.courseKey, ...trim }, 'retention removed personal data of a course no longer launched');
    total.courses++;
    for (const k of Object.keys(trim) as (keyof CourseTrim)[]) total[k] += trim[k];
  }
  await noteRetentionPass(p.issuer, p.clientId, total);
  return total;
}

async function recordRetention(p: Registration, course: CourseRecord, trim: CourseTrim, at: Date): Promise<void> {
  const detail = retentionSummary(trim, course.title, course.lastLaunchAt);
  await recordAudit([
    { courseKey: course.courseKey, actor: 'laurel', action: 'privacy.retention', detail },
    { platform: registrationKey(p), actor: 'laurel', action: 'privacy.retention', detail },
  ], at);
}

/** Every platform whose day is not claimed yet: this instance claims it and runs its retention. */
export async function retentionPass(serverDays: number, logger: Logger, now = new Date()): Promise<RetentionPassRecord[]> {
  const done: RetentionPassRecord[] = [];
  for (const p of await listPlatforms()) {
    if (!(await claimOnce(`retention ${registrationKey(p)} ${retentionDay(now)}`, new Date(now.getTime() + DAY_CLAIM_MS)))) continue;
    try {
      done.push(await retainPlatform(p, serverDays, logger, now));
    } catch (err) {
      logger.warn({ err, platform: p.issuer, clientId: p.clientId }, 'retention failed on a platform: a later day\'s pass tries again');
    }
  }
  return done;
}

export interface RetentionTiming {
  /** How often the instance looks for platforms whose day has not run yet. */
  tickMs?: number;
  /** The first look after start: soon, so an instance restarted more often than hourly still runs it. */
  firstMs?: number;
}

/** Every instance ticks (an hour by default, first five minutes after start); the day's claim lets one of them do each platform. */
export function startRetention(serverDays: number, logger: Logger, o: RetentionTiming = {}): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    retentionPass(serverDays, logger).catch((err) => logger.error({ err }, 'retention pass failed')).finally(() => { running = false; });
  };
  const first = setTimeout(tick, o.firstMs ?? 5 * 60_000);
  const timer = setInterval(tick, o.tickMs ?? 3600_000);
  first.unref();
  timer.unref();
  return () => { clearTimeout(first); clearInterval(timer); };
}
