/**
 * Bitstring Status List v1.0 (W3C): one bit per credential, set when it is revoked, published
 * as a signed BitstringStatusListCredential. The list is never shorter than 131,072 entries, so
 * fetching it does not tell the issuer which credential is being checked.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Issuer } from './model.js';
import { statusListUrl } from './urls.js';
import { dateTime, VC_CONTEXT_URL } from './openBadgeCredential.js';

/** 16 KB of bits: the minimum the specification sets for herd privacy. */
export const STATUS_LIST_SIZE = 131072;

/** Multibase base64url (prefix `u`) of the GZIP-compressed bitstring; index 0 is the left-most bit of the first byte. */
export function encodeStatusList(setIndexes: Iterable<number>, size: number = STATUS_LIST_SIZE): string {
  if (!Number.isInteger(size) || size <= 0 || size % 8 !== 0) throw new Error(`A status list size must be a positive multiple of 8, not ${size}.`);
  const bits = new Uint8Array(size / 8);
  for (const index of setIndexes) {
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new Error(`Status list index ${index} is outside the list (0 to ${size - 1}).`);
    }
    bits[index >> 3] |= 0x80 >> (index & 7);
  }
  return 'u' + gzipSync(bits).toString('base64url');
}

/** Whether the bit at `index` is set: for a revocation list, whether that credential is revoked. */
export function isSet(encodedList: string, index: number): boolean {
  const bits = decodeStatusList(encodedList);
  if (!Number.isInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new Error(`Status list index ${index} is outside the list (0 to ${bits.length * 8 - 1}).`);
  }
  return (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
}

export function decodeStatusList(encodedList: string): Uint8Array {
  if (!encodedList.startsWith('u')) throw new Error('An encodedList must be multibase base64url: it starts with "u".');
  try {
    return gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  } catch (err) {
    throw new Error(`The encodedList is not a GZIP-compressed bitstring: ${(err as Error).message}`);
  }
}

export type BitstringStatusListCredential = {
  '@context': [typeof VC_CONTEXT_URL];
  id: string;
  type: ['VerifiableCredential', 'BitstringStatusListCredential'];
  issuer: string;
  validFrom: string;
  credentialSubject: { id: string; type: 'BitstringStatusList'; statusPurpose: 'revocation'; encodedList: string };
};

/**
 * How far before its signing a list says it is valid from. A list's bits are true from the moment
 * they are signed, and each signing is prompted by a revocation: validFrom at the signing time
 * made every verifier whose clock is a few minutes behind report "status list not yet valid", so
 * no badge on the list verified there. Nothing is lost by dating it earlier (a list claims only
 * which bits are set now, and a newer list always replaces it), so the margin is generous: an
 * hour covers a machine without time sync, not only a few minutes of drift. Not the list's
 * creation time: lists made before this was stored have none, and the margin is enough.
 */
export const CLOCK_SKEW_MARGIN_MS = 60 * 60 * 1000;

/** The validFrom of a list signed at `signedAt`. */
export function statusListValidFrom(signedAt: Date): Date {
  return new Date(signedAt.getTime() - CLOCK_SKEW_MARGIN_MS);
}

/**
 * The unsigned list credential at `${base}/status/${listKey}`: signed with signDataIntegrity like
 * any credential (served as JSON), and with signVcJwt (served as a VC-JWT to whoever asks for one).
 */
export function statusListCredential({ base, issuer, listKey, encodedList, validFrom }: {
  base: string; issuer: Issuer; listKey: string; encodedList: string; validFrom: Date;
}): BitstringStatusListCredential {
  const url = statusListUrl(base, listKey);
  return {
    // VC 2.0 defines the Bitstring Status List terms itself.
    '@context': [VC_CONTEXT_URL],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuer.did,
    validFrom: dateTime(validFrom),
    credentialSubject: { id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
  };
}
