/**
 * What an outside verifier does with an Open Badge, as one function for Laurel's verification
 * page: the Data Integrity proof against the issuer's DID document, the VC-JWT against its
 * published key, the status list (itself a signed credential of the same issuer) and the
 * validity dates. Every fact arrives through the injected functions; nothing here trusts Laurel's
 * own records.
 */
import { verifyDataIntegrity } from './dataIntegrity.js';
import type { DocumentLoader, JsonObject } from './documentLoader.js';
import { isSet } from './statusList.js';
import { verifyVcJwt, type ResolveKey } from './vcJwt.js';

export type BadgeStatus = 'valid' | 'expired' | 'revoked' | 'invalid';

export interface OpenBadgeVerification {
  /** invalid outranks revoked, which outranks expired. */
  status: BadgeStatus;
  checks: {
    proof: boolean;
    /** Present when a VC-JWT was given. */
    jwt?: boolean;
    /** The status list credential's own proof verified, and it is the issuer's list for this purpose. */
    statusList: boolean;
    revoked: boolean;
    expired: boolean;
    notYetValid: boolean;
  };
  errors: string[];
}

export interface VerifyOpenBadgeInput {
  credential: JsonObject;
  jwt?: string;
  documentLoader: DocumentLoader;
  resolveKey: ResolveKey;
  fetchStatusList: (url: string) => Promise<JsonObject>;
  now: Date;
}

// Clocks differ between machines: a badge checked a moment after it was issued is not "not yet valid".
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export async function verifyOpenBadge(input: VerifyOpenBadgeInput): Promise<OpenBadgeVerification> {
  const { credential, jwt, documentLoader, resolveKey, now } = input;
  const errors: string[] = [];

  const proof = await verifyDataIntegrity(credential, documentLoader);
  if (!proof.verified) errors.push(`Data Integrity proof: ${proof.error}`);

  let jwtVerified: boolean | undefined;
  if (jwt !== undefined) {
    const result = await verifyVcJwt(jwt, resolveKey);
    jwtVerified = result.verified && sameJson(result.credential, credential);
    if (!result.verified) errors.push(`VC-JWT: ${result.error}`);
    else if (!jwtVerified) errors.push('VC-JWT: it carries a different credential from the one shown.');
  }

  const dates = validity(credential, now, errors);
  const status = await revocation(credential, input, errors);

  const invalid = !proof.verified || jwtVerified === false || status.unverifiable || dates.notYetValid || dates.undated;
  return {
    status: invalid ? 'invalid' : status.revoked ? 'revoked' : dates.expired ? 'expired' : 'valid',
    checks: {
      proof: proof.verified,
      ...(jwtVerified !== undefined ? { jwt: jwtVerified } : {}),
      statusList: status.statusList,
      revoked: status.revoked,
      expired: dates.expired,
      notYetValid: dates.notYetValid,
    },
    errors,
  };
}

function validity(credential: JsonObject, now: Date, errors: string[]) {
  const from = dateOf(credential.validFrom ?? '');
  const until = dateOf(credential.validUntil);
  const undated = from === null || until === null;
  if (from === null) errors.push(`validFrom (${String(credential.validFrom)}) is missing or not a date.`);
  if (until === null) errors.push(`validUntil (${String(credential.validUntil)}) is not a date.`);
  const notYetValid = !!from && from.getTime() - CLOCK_SKEW_MS > now.getTime();
  const expired = !!until && until.getTime() <= now.getTime();
  if (notYetValid) errors.push(`Not valid before ${String(credential.validFrom)}.`);
  return { notYetValid, expired, undated };
}

/** A Date, undefined when absent, null when present but not a date. */
function dateOf(value: unknown): Date | undefined | null {
  if (value === undefined) return undefined;
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  return Number.isNaN(d.getTime()) ? null : d;
}

async function revocation(credential: JsonObject, input: VerifyOpenBadgeInput, errors: string[]) {
  const entries = ([] as unknown[]).concat(credential.credentialStatus ?? []) as JsonObject[];
  if (!entries.length) return { statusList: false, revoked: false, unverifiable: false };
  let statusList = true;
  let revoked = false;
  for (const entry of entries) {
    const checked = await checkEntry(entry, credential, input);
    if ('error' in checked) {
      statusList = false;
      errors.push(`Status: ${checked.error}`);
    } else {
      revoked ||= checked.revoked;
    }
  }
  return { statusList, revoked, unverifiable: !statusList };
}

async function checkEntry(entry: JsonObject, credential: JsonObject, input: VerifyOpenBadgeInput): Promise<{ revoked: boolean } | { error: string }> {
  if (entry.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation') {
    return { error: `a ${String(entry.type)} entry for ${String(entry.statusPurpose)} cannot be checked here.` };
  }
  const url = entry.statusListCredential;
  const index = typeof entry.statusListIndex === 'string' && /^\d+$/.test(entry.statusListIndex) ? Number(entry.statusListIndex) : NaN;
  if (typeof url !== 'string' || Number.isNaN(index)) return { error: 'the entry names no status list credential or no integer statusListIndex.' };

  let list: JsonObject;
  try {
    list = await input.fetchStatusList(url);
  } catch (err) {
    return { error: `the status list ${url} could not be read: ${(err as Error).message}` };
  }
  const listProof = await verifyDataIntegrity(list, input.documentLoader);
  if (!listProof.verified) return { error: `the status list ${url} does not verify: ${listProof.error}` };
  // Only the issuer's own list may revoke its credentials.
  if (idOf(list.issuer) !== idOf(credential.issuer)) return { error: `the status list ${url} is issued by ${String(idOf(list.issuer))}, not by the credential's issuer.` };
  if (list.id !== url) return { error: `the status list fetched from ${url} says it is ${String(list.id)}.` };
  const subject = (list.credentialSubject ?? {}) as JsonObject;
  if (subject.type !== 'BitstringStatusList' || subject.statusPurpose !== 'revocation' || typeof subject.encodedList !== 'string') {
    return { error: `the status list ${url} is not a BitstringStatusList for revocation.` };
  }
  const listUntil = dateOf(list.validUntil);
  if (listUntil && listUntil.getTime() <= input.now.getTime()) return { error: `the status list ${url} expired on ${String(list.validUntil)}.` };
  try {
    return { revoked: isSet(subject.encodedList, index) };
  } catch (err) {
    return { error: `the status list ${url} cannot be read: ${(err as Error).message}` };
  }
}

function idOf(value: unknown): unknown {
  return value && typeof value === 'object' ? (value as JsonObject).id : value;
}

/** Same JSON value, whatever the order of object members. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as JsonObject)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as JsonObject)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as JsonObject)[k], (b as JsonObject)[k]));
}
