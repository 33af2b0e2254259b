/**
 * What the verification page of a credential whose platform was removed says: when its course
 * data was removed, and that the credential remains valid (or revoked, as it was). Only an award
 * under a removal's pseudonym costs the one read by key of the removal's record.
 */
import type { Award } from '../../store/award.js';
import { removalOfIssuer } from '../../store/platformRemoval.js';
import { isRemovedUserId } from './removePlatform.js';
import type { Translator } from '../../i18n/translate.js';

export async function removalNote(award: Pick<Award, 'userId'> | null, issuerKey: string, status: string, tr: Translator): Promise<string | undefined> {
  if (!award || !isRemovedUserId(award.userId)) return undefined;
  const removal = await removalOfIssuer(issuerKey);
  if (!removal) return undefined;
  const date = tr.date(removal.doneAt ?? removal.startedAt);
  return tr.t(status === 'valid' ? 'removal.verifyNote.valid' : status === 'revoked' ? 'removal.verifyNote.revoked' : 'removal.verifyNote.checked', { date });
}
