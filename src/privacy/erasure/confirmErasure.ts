/**
 * An administrator confirms a learner's request (or erases on a request received through the
 * institution's own channels): the erasure runs under a record of its own (store/erasure.ts),
 * which says that it happened, when, by whom, the learner's choice and what went, in counts;
 * the platform's audit log says the same. The request, and the name it held, go once it is done.
 * Confirming a request whose erasure was cut short finishes it under the same record.
 */
import { closeErasureRecord, addErasureCounts, newErasureId, openErasureRecord, type ErasureRecord } from '../../store/erasure.js';
import { forgetRequest, markConfirmed, requestErasure, type ErasureChoice, type ErasureRequest } from '../../store/erasureRequest.js';
import { AuditEntryModel, registrationKey } from '../../store/auditLog.js';
import { insertNew } from '../../store/insertNew.js';
import { LmsUserModel } from '../../store/lmsUser.js';
import { erasePerson } from './erasePerson.js';
import { exportPerson, isEmptyExport } from '../export/exportPerson.js';
import type { Person } from '../export/personRecords.js';

export interface Admin { userId: string; name: string }

/** Confirms the request and erases the person, to the end. */
export async function confirmErasure(request: ErasureRequest, admin: Admin, now = new Date()): Promise<ErasureRecord> {
  const erasureId = await startErasure(request, admin, now);
  return finishErasure({ ...request, erasureId }, admin, now);
}

/** The quick first step: the request confirmed under a record of its own; what finishErasure then completes. */
export async function startErasure(request: ErasureRequest, admin: Admin, now = new Date()): Promise<string> {
  const erasureId = (await markConfirmed(request._id, newErasureId(), admin, now))!;
  await openErasureRecord({
    _id: erasureId, issuer: request.issuer, clientId: request.clientId, choice: request.choice, requestedBy: request.by,
    requestedAt: request.requestedAt, confirmedAt: request.confirmedAt ?? now, confirmedBy: admin.userId,
  });
  return erasureId;
}

/** Erases the person of a confirmed request and closes its record; run again after a cut, it finishes. */
export async function finishErasure(request: ErasureRequest & { erasureId: string }, admin: Admin, now = new Date()): Promise<ErasureRecord> {
  const { erasureId } = request;
  const counts = await erasePerson({ person: request, choice: request.choice, by: admin, now });
  await addErasureCounts(erasureId, counts);
  const record = (await closeErasureRecord(erasureId, now))!;
  // Once per erasure, however many runs it took: the entry's key is the record's.
  const auditId = `erasure-${erasureId}`;
  await insertNew(AuditEntryModel, [{
    _id: auditId, id: auditId, at: now, platform: registrationKey(request), actor: admin.userId, actorName: admin.name, action: 'platform.erasure',
    detail: `erasure ${erasureId} (${request.choice === 'revoke' ? 'credentials revoked' : 'credentials kept'}): ${describeCounts(record.counts)}`,
  }]);
  await forgetRequest(request._id);
  return record;
}

function describeCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  return parts.length ? parts.join(', ') : 'nothing left to erase';
}

/** Thrown when an administrator names someone Laurel holds nothing about: nothing to erase or export. */
export class NobodyThereError extends Error {}

/**
 * The person an administrator names by their LMS user id, as they grant administrators
 * (store/platformAdministrators.ts): Canvas's own user id there, learned from the person's
 * launches (store/lmsUser.ts), Moodle's user id elsewhere, which is its LTI user id.
 */
export async function personOfLmsUserId(r: { issuer: string; clientId: string }, lmsUserId: string, canvas: boolean): Promise<Person | undefined> {
  if (!canvas) return { issuer: r.issuer, clientId: r.clientId, userId: lmsUserId };
  const found = (await LmsUserModel.find({ issuer: r.issuer, clientId: r.clientId }, { userId: 1, lmsUserId: 1 }).lean()).find((u) => u.lmsUserId === lmsUserId);
  return found ? { issuer: r.issuer, clientId: r.clientId, userId: found.userId } : undefined;
}

/** An administrator erases on a request received otherwise: a request recorded as asked by an administrator, which they confirm at once. */
export async function requestOnBehalf(p: Person, choice: ErasureChoice, now = new Date()): Promise<ErasureRequest> {
  const held = await exportPerson(p, now);
  if (isEmptyExport(held)) throw new NobodyThereError('Laurel holds nothing about this person on this platform.');
  const name = (held.sessions.idTokens[0] as { userInfo?: { name?: string } } | undefined)?.userInfo?.name ?? `user ${p.userId}`;
  return requestErasure(p, { name, choice, by: 'admin' }, now);
}
