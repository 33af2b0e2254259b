/**
 * Open Badges 2.0 hosted verification, checked by 1EdTech's own validator (PyPI `openbadges`)
 * against a tiny server on 127.0.0.1 that serves our documents at the URLs of urls.ts.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBadgeImage } from '../../src/credentials/badgeImage.js';
import { bakePng } from '../../src/credentials/baking/png.js';
import type { Achievement, AwardFacts, Issuer, Recipient } from '../../src/credentials/model.js';
import {
  ob2Assertion,
  ob2BadgeClass,
  ob2Issuer,
  ob2LtiRecipientIri,
  ob2RevocationList,
} from '../../src/credentials/ob2.js';
import { achievementUrls, credentialUrls, issuerDid, issuerUrls } from '../../src/credentials/urls.js';
import { pythonTools, validateOb2, type Ob2ValidationResult } from '../support/python.js';

const DAY = 86_400_000;
let server: Server;
let base: string;
const routes = new Map<string, { type: string; body: string | Buffer }>();
const served: string[] = [];

const issuerFor = (b: string): Issuer => ({
  key: 'inst-1',
  did: issuerDid(b, 'inst-1'),
  name: 'Example University',
  url: 'https://example.edu',
  email: 'badges@example.edu',
  description: 'A university that issues badges from its courses',
});
const achievementFor = (b: string): Achievement => ({
  key: 'lab-safety-2',
  name: 'Lab Safety — Level 2',
  description: 'Works safely in the chemistry lab: storage, spills, protective equipment.',
  criteriaNarrative: 'At least 80 % on the Lab Safety quiz and the practical check-off.',
  imageUrl: achievementUrls(b, 'lab-safety-2').image,
  tags: ['safety', 'chemistry'],
  alignments: [{ targetName: 'Laboratory safety', targetUrl: 'https://example.org/frameworks/lab#safety', targetFramework: 'Example Lab Framework', targetCode: 'LS-2' }],
  level: 2,
});
const withEmail: Recipient = { ltiUserId: 'a1b2', ltiPlatformId: 'https://canvas.example.edu', subjectId: 'urn:uuid:0e6a5f0c-93c1-8f4e-a1b2-6c7d8e9f0a1b', email: 'Ada.Lovelace@Example.edu ', salt: 'c0ffee' };
const withoutEmail: Recipient = { ltiUserId: 'f00d/42', ltiPlatformId: 'https://moodle.example.edu', subjectId: 'urn:uuid:7b8c9d0e-1f2a-8b3c-9d4e-5f6a7b8c9d0e', salt: '5a17' };

const award = (publicId: string, over: Partial<AwardFacts> = {}): AwardFacts => ({
  publicId,
  awardedAt: new Date(Date.now() - 30 * DAY),
  validUntil: new Date(Date.now() + 365 * DAY),
  evidence: [{ name: 'Lab Safety quiz', narrative: 'Scored 86 %' }, { id: 'https://lms.example.edu/grades/77', name: 'Practical check-off' }],
  ...over,
});

/** Serves a JSON-LD document at its own id, and the assertion's baked image. */
function serveJson(doc: { id: string }) {
  routes.set(new URL(doc.id).pathname, { type: 'application/ld+json', body: JSON.stringify(doc) });
}

async function publishAssertion(recipient: Recipient, facts: AwardFacts, revoked?: { reason: string }) {
  const issuer = issuerFor(base);
  const achievement = achievementFor(base);
  const doc = ob2Assertion({ base, issuer, achievement, recipient, award: facts, revoked });
  serveJson(doc);
  const { png } = await defaultBadgeImage({ name: achievement.name, level: achievement.level });
  routes.set(new URL(credentialUrls(base, facts.publicId).ob2Png).pathname, { type: 'image/png', body: bakePng(png, 'openbadges', JSON.stringify(doc)) });
  return doc;
}

const task = (r: Ob2ValidationResult, name: string) => r.tasks.filter((t) => t.name === name);

beforeAll(async () => {
  pythonTools();
  server = createServer((req, res) => {
    served.push(req.url!);
    const route = routes.get(req.url!);
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer = issuerFor(base);
  const achievement = achievementFor(base);
  serveJson(ob2Issuer({ base, issuer }));
  serveJson(ob2BadgeClass({ base, issuer, achievement }));
  // Two entries: validator 1.1.2 misreads a list of one (JSON-LD compaction makes it an object).
  serveJson(ob2RevocationList({ base, issuer, revoked: [{ publicId: 'revoked-earlier', reason: 'Issued in error' }, { publicId: 'revoked-1', reason: 'Academic misconduct' }] }));
  const { png } = await defaultBadgeImage({ name: achievement.name, level: achievement.level });
  routes.set(new URL(achievement.imageUrl).pathname, { type: 'image/png', body: png });
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('OB 2.0 hosted documents (1EdTech validator, offline against 127.0.0.1)', () => {
  it('an Assertion with its BadgeClass, Issuer and RevocationList is valid, with no errors or warnings, for the learner whose email it hashes', async () => {
    const doc = await publishAssertion(withEmail, award('valid-1'));
    served.length = 0;

    const result = await validateOb2(doc.id, { recipient: { email: 'ada.lovelace@example.edu' }, revocationList: true });

    expect(result.report.messages).toEqual([]);
    expect(result.report).toMatchObject({ valid: true, errorCount: 0, warningCount: 0, openBadgesVersion: '2.0', validationSubject: doc.id });
    expect(result.report).toMatchObject({ recipientProfile: { email: 'ada.lovelace@example.edu' } });
    const byType = Object.fromEntries(result.graph.map((n) => [n.type as string, n]));
    expect(byType.Assertion).toMatchObject({ id: doc.id, badge: achievementUrls(base, 'lab-safety-2').ob2BadgeClass, issuedOn: doc.issuedOn, expires: doc.expires });
    expect(byType.BadgeClass).toMatchObject({ id: achievementUrls(base, 'lab-safety-2').ob2BadgeClass, issuer: issuerUrls(base, 'inst-1').ob2Issuer });
    expect(byType.Issuer).toMatchObject({ id: issuerUrls(base, 'inst-1').ob2Issuer, email: 'badges@example.edu', revocationList: issuerUrls(base, 'inst-1').ob2RevocationList });
    expect(byType.RevocationList).toMatchObject({ id: issuerUrls(base, 'inst-1').ob2RevocationList });
    for (const name of ['VERIFY_RECIPIENT_IDENTIFIER', 'HOSTED_ID_IN_VERIFICATION_SCOPE', 'ASSERTION_TIMESTAMP_CHECKS', 'IMAGE_VALIDATION', 'VERIFY_SIGNED_ASSERTION_NOT_REVOKED']) {
      expect(task(result, name).length, name).toBeGreaterThan(0);
      expect(task(result, name).every((t) => t.success), name).toBe(true);
    }
    // Everything it read came from our server, at the URLs of urls.ts.
    expect(new Set(served)).toEqual(
      new Set([doc.id, doc.image, doc.badge, achievementFor(base).imageUrl, issuerUrls(base, 'inst-1').ob2Issuer, issuerUrls(base, 'inst-1').ob2RevocationList].map((u) => new URL(u).pathname)),
    );
  });

  it('the validator refuses the same assertion for a different email (the hash really binds the learner)', async () => {
    const doc = await publishAssertion(withEmail, award('valid-2'));
    const result = await validateOb2(doc.id, { recipient: { email: 'someone.else@example.edu' } });
    expect(result.report.valid).toBe(false);
    expect(task(result, 'VERIFY_RECIPIENT_IDENTIFIER')[0]).toMatchObject({ success: false });
  });

  it('a learner the LMS shares no email for is a hashed `id` recipient that the validator matches to the LTI user IRI', async () => {
    const doc = await publishAssertion(withoutEmail, award('no-email-1', { validUntil: undefined, evidence: [] }));
    expect(doc.recipient).toMatchObject({ type: 'id', hashed: true, salt: '5a17' });
    expect(doc).not.toHaveProperty('expires');
    expect(doc).not.toHaveProperty('evidence');

    const iri = ob2LtiRecipientIri(withoutEmail);
    expect(iri).toBe('https://moodle.example.edu#user=f00d%2F42');
    const result = await validateOb2(doc.id, { recipient: { id: iri } });

    expect(result.report.messages).toEqual([]);
    expect(result.report).toMatchObject({ valid: true, errorCount: 0, recipientProfile: { id: iri } });
  });

  it('a revoked assertion says so itself and is reported revoked, with its reason, from the issuer RevocationList', async () => {
    const doc = await publishAssertion(withEmail, award('revoked-1'), { reason: 'Academic misconduct' });
    expect(doc).toMatchObject({ revoked: true, revocationReason: 'Academic misconduct' });

    const result = await validateOb2(doc.id, { revocationList: true });

    expect(result.report.valid).toBe(false);
    expect(result.report.errorCount).toBe(1);
    expect(result.report.messages[0]).toMatchObject({
      name: 'VERIFY_SIGNED_ASSERTION_NOT_REVOKED',
      messageLevel: 'ERROR',
      result: expect.stringMatching(/has been revoked in RevocationList .* with reason: Academic misconduct/),
    });
    expect(result.graph.find((n) => n.id === doc.id)).toMatchObject({ revoked: true, revocationReason: 'Academic misconduct' });
  });

  it('an assertion past its expiry date is reported expired', async () => {
    const doc = await publishAssertion(withEmail, award('expired-1', { awardedAt: new Date(Date.now() - 400 * DAY), validUntil: new Date(Date.now() - DAY) }));
    const result = await validateOb2(doc.id);
    expect(result.report.valid).toBe(false);
    expect(task(result, 'ASSERTION_TIMESTAMP_CHECKS')[0]).toMatchObject({ success: false, result: expect.stringMatching(/expired/i) });
  });
});

describe('OB 2.0 document shapes', () => {
  const b = 'https://badges.example.edu';

  it('the Assertion names its own URL, its BadgeClass, hosted verification, the baked PNG and a salted SHA-256 of the normalised email', () => {
    const doc = ob2Assertion({ base: b, issuer: issuerFor(b), achievement: achievementFor(b), recipient: withEmail, award: award('x1', { awardedAt: new Date('2026-11-23T10:00:00.123Z'), validUntil: new Date('2028-11-23T10:00:00Z') }) });
    const expected = `sha256$${createHash('sha256').update('ada.lovelace@example.edu' + 'c0ffee').digest('hex')}`;
    expect(doc).toMatchObject({
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'Assertion',
      id: 'https://badges.example.edu/ob2/assertions/x1',
      recipient: { type: 'email', hashed: true, salt: 'c0ffee', identity: expected },
      badge: 'https://badges.example.edu/ob2/badges/lab-safety-2',
      verification: { type: 'hosted' },
      issuedOn: '2026-11-23T10:00:00Z',
      expires: '2028-11-23T10:00:00Z',
      image: 'https://badges.example.edu/ob2/assertions/x1.png',
      evidence: [{ type: 'Evidence', name: 'Lab Safety quiz', narrative: 'Scored 86 %' }, { type: 'Evidence', id: 'https://lms.example.edu/grades/77', name: 'Practical check-off' }],
    });
    expect(doc).not.toHaveProperty('revoked');
  });

  it('the Issuer points to its RevocationList, which lists revoked assertions by their URLs', () => {
    expect(ob2Issuer({ base: b, issuer: issuerFor(b) })).toMatchObject({ type: 'Issuer', id: 'https://badges.example.edu/ob2/issuers/inst-1', revocationList: 'https://badges.example.edu/ob2/issuers/inst-1/revocations' });
    expect(ob2RevocationList({ base: b, issuer: issuerFor(b), revoked: [{ publicId: 'r9', reason: 'Issued in error' }] })).toEqual({
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'RevocationList',
      id: 'https://badges.example.edu/ob2/issuers/inst-1/revocations',
      issuer: 'https://badges.example.edu/ob2/issuers/inst-1',
      revokedAssertions: [{ id: 'https://badges.example.edu/ob2/assertions/r9', revocationReason: 'Issued in error' }],
    });
  });

  it('an issuer without a contact email is published without one (never an invented address) until an administrator sets it', () => {
    const issuer = { ...issuerFor(b), email: undefined };
    const doc = ob2Issuer({ base: b, issuer });
    expect(doc).not.toHaveProperty('email');
    expect(doc).toMatchObject({ type: 'Issuer', name: issuer.name, revocationList: issuerUrls(b, 'inst-1').ob2RevocationList });
  });
});
