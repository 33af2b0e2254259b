/**
 * Writes an audit entry for what the person of this session just did in their course.
 * Called after the change and only when the change happened (a repeated request logs nothing).
 */
import type { Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { recordAudit, registrationKey, type NewAuditEntry } from '../../store/auditLog.js';
import { personName } from './personName.js';

type CourseEntry = Omit<NewAuditEntry, 'actor' | 'actorName' | 'courseKey' | 'platform'>;

export async function auditInCourse(res: Response, entries: CourseEntry | CourseEntry[]): Promise<void> {
  const token = res.locals.token as LtijsToken;
  const courseKey = (res.locals.course as { courseKey: string }).courseKey;
  const actor = { actor: token.user, actorName: personName(token), courseKey };
  await recordAudit((Array.isArray(entries) ? entries : [entries]).map((e) => ({ ...actor, ...e })));
}

/** Changes to a registration (issuer profile, keys, settings) are logged under it. */
export const registrationOf = (token: LtijsToken) => registrationKey({ issuer: token.iss, clientId: token.clientId });

export async function auditOnPlatform(res: Response, entry: CourseEntry): Promise<void> {
  const token = res.locals.token as LtijsToken;
  await recordAudit({ actor: token.user, actorName: personName(token), platform: registrationOf(token), ...entry });
}
