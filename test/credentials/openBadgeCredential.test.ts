import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { identityHash, openBadgeCredential, type OpenBadgeFacts } from '../../src/credentials/openBadgeCredential.js';
import { achievement, award, ob3Schema, readFixture, status, withEmail, withoutEmail } from './fixtures.js';

const base = 'https://badges.example.edu';
const issuer = {
  key: 'canvas-1', did: 'did:web:badges.example.edu:issuers:canvas-1', name: 'Example University', url: 'https://example.edu',
  email: 'badges@example.edu', description: 'Badges of the Faculty of Science', imageUrl: 'https://example.edu/logo.png',
};
const facts = (o: Partial<OpenBadgeFacts> = {}): OpenBadgeFacts => ({ base, issuer, achievement: achievement(), recipient: withEmail, award: award(), status, ...o });
/** The award's first renewal: its own public id, from its own day, pointing at the award's latest. */
const renewed = award({
  publicId: 'Rn5w2KpQ8zXc4vB7mT1yLg', validFrom: new Date('2028-10-01T08:00:00Z'), validUntil: new Date('2030-10-01T08:00:00Z'),
  refreshUrl: 'https://badges.example.edu/credentials/kT4v9QmZ2xWc7bN1pR8sLd/latest',
});
const sha256 = (s: string) => 'sha256$' + createHash('sha256').update(s).digest('hex');

describe('OB 3.0 §1: an award as an OpenBadgeCredential', () => {
  const validate = ob3Schema();

  it('the schema accepts 1EdTech\'s own example (the validator itself works)', () => {
    expect(validate(readFixture('examples/ob3-basic-credential.json')), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema rejects a credential without validFrom (the validator can fail)', () => {
    const { validFrom: _, ...undated } = openBadgeCredential(facts());
    expect(validate(undated)).toBe(false);
  });

  it.each([
    ['a learner with an email, a validity period and evidence', facts()],
    ['a learner without email', facts({ recipient: withoutEmail })],
    ['a badge that never expires, with no evidence, tags or alignments', facts({
      award: award({ validUntil: undefined, evidence: [] }),
      achievement: achievement({ tags: [], alignments: [], achievementType: 'Certificate' }),
    })],
    ['a renewal of a badge that is renewed, with its refresh service', facts({ award: renewed })],
  ])('validates against the official schema: %s', (_, input) => {
    expect(validate(openBadgeCredential(input)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('puts VC 2.0 first and OB 3.0.3 second in @context, and types itself OpenBadgeCredential', () => {
    const c = openBadgeCredential(facts());
    expect(c['@context'].slice(0, 2)).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(c.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
  });

  it('names the credential, the issuer profile and the achievement with their public URLs', () => {
    const c = openBadgeCredential(facts());
    expect(c.id).toBe('https://badges.example.edu/credentials/kT4v9QmZ2xWc7bN1pR8sLd');
    expect(c.issuer).toEqual({
      id: issuer.did, type: ['Profile'], name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu',
      description: 'Badges of the Faculty of Science', image: { id: 'https://example.edu/logo.png', type: 'Image', caption: 'Example University' },
    });
    const a = c.credentialSubject.achievement;
    expect(a.id).toBe('https://badges.example.edu/achievements/Xq3b1Lm9Rk2pT7vW8yZa0c');
    expect(a.criteria).toEqual({ id: `${a.id}#criteria`, narrative: 'Earn at least 80 % on Quiz 2 and complete Lab: Safety.' });
    expect(a.achievementType).toBe('Badge');
    expect(a.alignment?.[0]).toEqual({ type: ['Alignment'], targetName: 'Laboratory safety', targetUrl: 'https://example.edu/competencies/lab-safety', targetFramework: 'Example University Competencies', targetCode: 'LS-2' });
    expect(a.tag).toEqual(['safety', 'chemistry']);
  });

  it('dates the award: validFrom and awardedDate are when it was awarded, validUntil when it ends', () => {
    const c = openBadgeCredential(facts());
    expect([c.validFrom, c.awardedDate, c.validUntil]).toEqual(['2026-11-23T10:00:00Z', '2026-11-23T10:00:00Z', '2028-11-23T10:00:00Z']);
    expect('validUntil' in openBadgeCredential(facts({ award: award({ validUntil: undefined }) }))).toBe(false);
  });

  it('a renewal is valid from the day it was renewed and keeps the award\'s awardedDate; a badge that is renewed names 1EdTech\'s refresh service', () => {
    const c = openBadgeCredential(facts({ award: renewed }));
    expect([c.validFrom, c.awardedDate, c.validUntil]).toEqual(['2028-10-01T08:00:00Z', '2026-11-23T10:00:00Z', '2030-10-01T08:00:00Z']);
    expect(c.refreshService).toEqual({ id: 'https://badges.example.edu/credentials/kT4v9QmZ2xWc7bN1pR8sLd/latest', type: '1EdTechCredentialRefresh' });
    // Its type is a term of 1EdTech's extensions context, which every credential names.
    expect(c['@context']).toContain('https://purl.imsglobal.org/spec/ob/v3p0/extensions.json');
    expect('refreshService' in openBadgeCredential(facts())).toBe(false);
  });

  it('identifies a learner with an email by the salted SHA-256 of the address, never the address', () => {
    const c = openBadgeCredential(facts());
    expect(c.credentialSubject.identifier[0]).toEqual({
      type: 'IdentityObject', identityType: 'emailAddress', hashed: true, salt: withEmail.salt,
      identityHash: sha256('ada.lovelace@student.example.edu' + withEmail.salt),
    });
    expect(JSON.stringify(c).toLowerCase()).not.toContain('ada.lovelace@');
  });

  it('identifies a learner without email by ltiUserId and ltiPlatformId, both hashed with the salt', () => {
    const ids = openBadgeCredential(facts({ recipient: withoutEmail })).credentialSubject.identifier;
    expect(ids).toEqual([
      { type: 'IdentityObject', identityType: 'ltiUserId', hashed: true, salt: withoutEmail.salt, identityHash: sha256('42' + withoutEmail.salt) },
      { type: 'IdentityObject', identityType: 'ltiPlatformId', hashed: true, salt: withoutEmail.salt, identityHash: sha256('https://moodle.example.edu' + withoutEmail.salt) },
    ]);
    expect(ids.some((i) => i.identityType === 'emailAddress')).toBe(false);
  });

  it('never carries the learner\'s name: the credential is public at its URL', () => {
    const credential = openBadgeCredential(facts());
    expect(facts().recipient.name).toBeTruthy();
    expect(JSON.stringify(credential)).not.toContain(facts().recipient.name!);
    expect(credential.credentialSubject.identifier.map((i) => i.identityType)).not.toContain('name');
  });

  it('names the subject by the id it is given (the keyed hash of subjectId.ts), never by the LMS user id', () => {
    const c = openBadgeCredential(facts());
    expect(c.credentialSubject.id).toBe(withEmail.subjectId);
    expect(JSON.stringify(c)).not.toContain(withEmail.ltiUserId);
  });

  it('points at its revocation bit with a BitstringStatusListEntry, the index as a string', () => {
    expect(openBadgeCredential(facts()).credentialStatus).toEqual({
      id: 'https://badges.example.edu/status/l1#94567', type: 'BitstringStatusListEntry', statusPurpose: 'revocation',
      statusListIndex: '94567', statusListCredential: 'https://badges.example.edu/status/l1',
    });
  });

  it('names 1EdTech\'s schema in credentialSchema', () => {
    expect(openBadgeCredential(facts()).credentialSchema).toEqual([{
      id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json', type: '1EdTechJsonSchemaValidator2019',
    }]);
  });

  it('lists the evidence, with its URL when there is one', () => {
    expect(openBadgeCredential(facts()).evidence).toEqual([
      { type: ['Evidence'], name: 'Quiz 2', narrative: 'Scored 86 %' },
      { type: ['Evidence'], id: 'https://canvas.example.edu/courses/12/assignments/7/submissions/42', name: 'Lab report' },
    ]);
  });

  it('is deterministic: the same facts give the same credential', () => {
    expect(JSON.stringify(openBadgeCredential(facts()))).toBe(JSON.stringify(openBadgeCredential(facts())));
  });

  it('hashes as OB defines it: sha256$ and the hex digest of identity + salt', () => {
    expect(identityHash('a@b.c', 'xyz')).toBe('sha256$' + createHash('sha256').update('a@b.cxyz').digest('hex'));
  });
});
