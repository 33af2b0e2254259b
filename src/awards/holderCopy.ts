/**
 * The award's credential issued to a wallet's key: the same Open Badges 3.0 statement as the
 * stored credential (the same achievement, dates, evidence, hashed identifiers and status list
 * entry, so revoking the award revokes every copy in every wallet), with `credentialSubject.id`
 * the holder's DID, which the wallet proved it controls. Each copy is signed afresh and has an id
 * of its own (a `urn:uuid:`): the stored credential keeps its URL, and a copy is not it.
 */
import { randomUUID } from 'node:crypto';
import { openBadgeCredential } from '../credentials/openBadgeCredential.js';
import { publicBase } from '../publicBase.js';
import { awardOf } from '../store/award.js';
import { recordAudit } from '../store/auditLog.js';
import { signingKeys } from '../store/issuerKeys.js';
import type { IssuedCredential } from '../store/issuedCredential.js';
import { signCredential } from './signingPool.js';

/** The two forms a wallet takes: the credential with its Data Integrity proof, or its VC-JWT. */
export type HolderFormat = 'ldp_vc' | 'jwt_vc_json';

/** How the wallet asked: said in the audit log. */
export type WalletProtocol = 'OpenID4VCI' | 'VC-API exchange' | 'LCW credential request';

export class HolderCopyError extends Error {
  constructor(message: string, readonly code: 'revoked' | 'not_found') { super(message); }
}

/**
 * Signs a copy of `issued` for `holderDid`, once the award is still held (a revoked award gives no
 * new copy), and says in the course's audit log that a wallet received it.
 */
export async function issueToHolder(issued: IssuedCredential, holderDid: string, format: HolderFormat, protocol: WalletProtocol): Promise<Record<string, unknown> | string> {
  const award = await awardOf(issued.courseKey, issued.badgeId, issued.userId);
  if (!award) throw new HolderCopyError('The badge is no longer stored: it cannot be added to a wallet.', 'not_found');
  if (award.status !== 'awarded') throw new HolderCopyError('The badge was revoked: it cannot be added to a wallet.', 'revoked');
  const stored = openBadgeCredential({ base: publicBase(), ...issued.facts });
  const unsigned = { ...stored, id: `urn:uuid:${randomUUID()}`, credentialSubject: { ...stored.credentialSubject, id: holderDid } };
  const { credential, jwt } = await signCredential({ unsigned, keys: await signingKeys(issued.issuerKey), did: issued.facts.issuer.did });
  await recordAudit({
    courseKey: issued.courseKey, actor: issued.userId, action: 'award.toWallet', badgeId: issued.badgeId, awardId: issued.publicId, userId: issued.userId,
    detail: `${format} by ${protocol}, to ${holderDid.length > 80 ? `${holderDid.slice(0, 77)}…` : holderDid}`,
  });
  return format === 'ldp_vc' ? credential : jwt;
}
