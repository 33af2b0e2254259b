/**
 * A recipient without the person: what retention and erasure leave in a credential's facts. The
 * e-mail, name and LTI user id go; the salted hashes the public documents were made with stay, so
 * the stored OB 3.0 credential, the OB 2.0 assertion built from the facts, and a wallet's copy
 * read exactly as before, and still match whoever holds the e-mail address.
 */
import type { Recipient } from './model.js';
import { identifiers } from './openBadgeCredential.js';
import { ob2Recipient } from './ob2.js';

export function hashedRecipient(recipient: Recipient): Recipient {
  if (recipient.hashed) return { ltiUserId: '', ltiPlatformId: recipient.ltiPlatformId, subjectId: recipient.subjectId, salt: recipient.salt, hashed: recipient.hashed };
  const { type, identity } = ob2Recipient(recipient);
  return {
    ltiUserId: '', ltiPlatformId: recipient.ltiPlatformId, subjectId: recipient.subjectId, salt: recipient.salt,
    hashed: {
      identifiers: identifiers(recipient).map(({ identityType, identityHash }) => ({ identityType: identityType as 'emailAddress' | 'ltiUserId' | 'ltiPlatformId', identityHash })),
      ob2: { type, identity },
    },
  };
}
