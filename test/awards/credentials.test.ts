/**
 * Issuing Open Badges from a course, end to end over real HTTP, checked as outsiders check them:
 * an instructor's badge earned through the emulated LMS becomes an OB 3.0 credential that
 * 1EdTech's schema accepts, whose Data Integrity proof (@digitalbazaar/vc) and VC-JWT (jose)
 * verify against keys fetched from Laurel's did:web document and JWKs; revocation shows in the
 * public status list at once; expiry and key rotation behave as the digest says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { isRevoked, ob3SchemaValidator, verifyDataIntegrity, verifyJwt } from '../support/outsideVerifier.js';
import { htmlText } from '../support/html.js';
import { rotateIssuerKeys } from '../../src/store/issuerKeys.js';
import { credentialByPublicId } from '../../src/store/issuedCredential.js';
import { verifyIssued } from '../../src/awards/verifyAward.js';
import { issuerKeyOf, saveIssuerProfile } from '../../src/store/issuerProfile.js';
import { keyedSubjectId } from '../../src/credentials/subjectId.js';
import { SubjectKeyModel, subjectKeyOf } from '../../src/store/subjectKey.js';
import { bakeryExtract, validateOb2 } from '../support/python.js';
import { unbakePng } from '../../src/credentials/baking/png.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let laurel: RunningLaurel;
let c: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

async function launchAs(user: { id: string }) {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  return {
    ltik,
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path: string, body?: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body ?? {}),
    put: (path: string, body: object) => request(laurel.url).put(path).set('Authorization', `Bearer ${ltik}`).send(body),
  };
}

const get = (url: string) => request(laurel.url).get(new URL(url).pathname);

async function evaluate(api: Awaited<ReturnType<typeof launchAs>>) {
  const started = await api.post('/api/course/evaluations');
  expect(started.status).toBe(202);
  let job;
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    job = (await api.get(started.headers.location)).body;
    if (job.status === 'done') return job;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`evaluation did not finish: ${JSON.stringify(job)}`);
}

describe('Open Badges issued from a course', () => {
  let staff: Awaited<ReturnType<typeof launchAs>>;
  let badgeId: string;
  let awards: { id: string; userId: string; links: Record<string, string> }[];
  let credential: Record<string, any>;

  beforeAll(async () => {
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    staff = await launchAs(instructor);
    await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
    const columns = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
    const quiz = columns.find((l) => l.label === 'Quiz 1')!;
    const created = await staff.post('/api/course/badges', {
      name: 'Quiz 1 <Mastery>', description: 'Showed mastery of the first quiz.', validFor: 'P1Y', tags: ['quiz'],
      alignments: [{ targetName: 'Lab safety', targetUrl: 'https://example.edu/competencies/lab-safety', targetFramework: 'Example Skills' }],
      rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 50 }] },
    });
    expect(created.status).toBe(201);
    badgeId = created.body.id;
    const job = await evaluate(staff);
    expect(job.result.awarded).toBeGreaterThan(0);
    awards = (await staff.get('/api/course/awards')).body.awards.filter((a: { badgeId: string }) => a.badgeId === badgeId);
    expect(awards.length).toBe(job.result.awarded);
    credential = (await get(awards[0]!.links.credential)).body;
  });

  it('signs one credential per award, each reachable at its public URLs', async () => {
    for (const award of awards) {
      expect(award.links, `award ${award.id} has no credential`).toBeDefined();
      const res = await get(award.links.credential);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/vc\+ld\+json/);
      expect(res.body.id).toBe(award.links.credential);
    }
  });

  it('is an OpenBadgeCredential that 1EdTech\'s JSON schema accepts, naming the learner by hashed email', async () => {
    const validate = ob3SchemaValidator();
    expect(validate(credential), JSON.stringify(validate.errors)).toBe(true);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.credentialSubject.achievement.name).toBe('Quiz 1 <Mastery>');
    expect(credential.credentialSubject.achievement.alignment[0].targetName).toBe('Lab safety');
    const learner = c.emulator.course.users.find((u) => u.id === awards[0]!.userId)!;
    const email = credential.credentialSubject.identifier.find((i: { identityType: string }) => i.identityType === 'emailAddress');
    expect(email.hashed).toBe(true);
    expect(JSON.stringify(credential)).not.toContain(learner.email);
    const { createHash } = await import('node:crypto');
    expect(email.identityHash).toBe(`sha256$${createHash('sha256').update(learner.email.toLowerCase() + email.salt).digest('hex')}`);
    // A year of validity from the award.
    expect(Date.parse(credential.validUntil) - Date.parse(credential.validFrom)).toBeGreaterThanOrEqual(365 * 86400_000);
  });

  it('verifies with @digitalbazaar/vc and with jose, keys fetched from Laurel over HTTP; one changed character fails both', async () => {
    expect((await verifyDataIntegrity(credential)).verified).toBe(true);
    const jwt = (await get(awards[0]!.links.jwt)).text;
    const profile = (await get(credential.issuer.id.replace(/^did:web:([^:]+):issuers:(.+)$/, (_: string, host: string, key: string) => `http://${decodeURIComponent(host)}/issuers/${key}`))).body;
    const jwksUrl = profile.publicKeys.jwks;
    const { payload, protectedHeader } = await verifyJwt(jwt, jwksUrl);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.iss).toBe(credential.issuer.id);
    expect(payload.jti).toBe(credential.id);

    const tampered = structuredClone(credential);
    tampered.credentialSubject.achievement.name = 'Quiz 1 <Mastery>!';
    expect((await verifyDataIntegrity(tampered)).verified).toBe(false);
    const [header, body, signature] = jwt.split('.');
    const changed = Buffer.from(body!, 'base64url').toString().replace('Quiz 1', 'Quiz 2');
    await expect(verifyJwt(`${header}.${Buffer.from(changed).toString('base64url')}.${signature}`, jwksUrl)).rejects.toThrow(/signature/i);
  });

  it('keeps the signing keys sealed in the database and out of the logs', async () => {
    const issuerKey = credential.issuer.id.split(':').at(-1);
    const { signingKeys, IssuerKeySetModel } = await import('../../src/store/issuerKeys.js');
    const keys = await signingKeys(issuerKey);
    const stored = JSON.stringify(await IssuerKeySetModel.collection.findOne({ _id: issuerKey } as never));
    for (const secret of [keys.ed25519.secretKeyMultibase, String(keys.rsa.privateJwk.d)]) {
      expect(stored).not.toContain(secret);
      expect(JSON.stringify(laurel.logs)).not.toContain(secret);
    }
  });

  it('publishes no secret key material in the DID document or the JWKs', async () => {
    const issuerKey = credential.issuer.id.split(':').at(-1);
    const did = (await request(laurel.url).get(`/issuers/${issuerKey}/did.json`)).text;
    const jwks = (await request(laurel.url).get(`/issuers/${issuerKey}/jwks.json`)).text;
    for (const doc of [did, jwks]) expect(doc).not.toMatch(/secretKeyMultibase|"d"\s*:|"p"\s*:|"q"\s*:/);
  });

  it('revokes with a reason: the status list says so at once, the credential is unchanged, the page shows why', async () => {
    const award = awards[1]!;
    const before = (await get(award.links.credential)).body;
    expect(await isRevoked(before)).toBe(false);
    expect((await staff.post(`/api/course/awards/${award.id}/revoke`, { reason: '' })).status).toBe(400);
    const revoked = await staff.post(`/api/course/awards/${award.id}/revoke`, { reason: 'Awarded on a <mis-graded> quiz' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const after = (await get(award.links.credential)).body;
    expect(after).toEqual(before); // never edited in place
    expect(await isRevoked(after)).toBe(true);
    expect(await isRevoked((await get(awards[0]!.links.credential)).body)).toBe(false); // only its own bit
    const page = await get(award.links.page);
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toContain('Revoked: Awarded on a <mis-graded> quiz');
    expect(page.text).not.toContain('<mis-graded>'); // shown as text
    // Revoking again keeps the first reason.
    await staff.post(`/api/course/awards/${award.id}/revoke`, { reason: 'another reason' });
    expect(htmlText((await get(award.links.page)).text)).toContain('Awarded on a <mis-graded> quiz');
  });

  it('shows a valid badge as valid, and an expired one as expired, from verifying the stored credential', async () => {
    const page = await get(awards[0]!.links.page);
    expect(htmlText(page.text)).toMatch(/Valid: the signatures check out/);
    expect(page.text).toContain('<meta property="og:title"');
    const issued = (await credentialByPublicId(awards[0]!.id))!;
    const later = new Date(Date.parse(credential.validUntil) + 86400_000);
    expect((await verifyIssued(laurel.config.publicUrl, issued, later)).status).toBe('expired');
    expect((await verifyIssued(laurel.config.publicUrl, issued)).status).toBe('valid');
  });

  it('keeps credentials signed before a key rotation verifiable, and signs new ones with the new keys', async () => {
    const before = (await get(awards[0]!.links.credential)).body;
    const jwtBefore = (await get(awards[0]!.links.jwt)).text;
    const registration = { issuer: c.emulator.issuer, clientId: c.clientId };
    const newIds = await rotateIssuerKeys(issuerKeyOf(registration));
    expect(newIds).toHaveLength(2);
    expect((await verifyDataIntegrity(before)).verified).toBe(true);
    const issuerKey = issuerKeyOf(registration);
    await expect(verifyJwt(jwtBefore, `${laurel.url}/issuers/${issuerKey}/jwks.json`)).resolves.toBeDefined();

    const learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active' && !awards.some((a) => a.userId === u.id))!;
    const manual = await staff.post('/api/course/awards', { badgeId, userId: learner.id });
    expect(manual.status).toBe(201);
    const fresh = (await get(manual.body.links.credential)).body;
    const proof = [fresh.proof].flat()[0];
    expect(newIds.some((id) => proof.verificationMethod.endsWith(`#${id}`)), proof.verificationMethod).toBe(true);
    expect((await verifyDataIntegrity(fresh)).verified).toBe(true);
    // Awarding again is a no-op that answers the same award.
    const again = await staff.post('/api/course/awards', { badgeId, userId: learner.id });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(manual.body.id);
  });

  it('names the learner by one keyed id across the issuer\'s badges, not computable from the LMS user id', async () => {
    const learnerId = awards[0]!.userId;
    const quiz = ((await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!;
    const second = await staff.post('/api/course/badges', { name: 'Second badge', description: 'Another badge of the same issuer.', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 99 }] } });
    expect(second.status).toBe(201);
    const manual = await staff.post('/api/course/awards', { badgeId: second.body.id, userId: learnerId });
    expect(manual.status).toBe(201);
    const other = (await get(manual.body.links.credential)).body;
    expect(other.credentialSubject.achievement.id).not.toBe(credential.credentialSubject.achievement.id);
    expect(other.credentialSubject.id).toBe(credential.credentialSubject.id); // same learner, same issuer, same id
    expect(credential.credentialSubject.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8/);
    // It is the HMAC under the issuer's sealed key, which another issuer does not share.
    const issuerKey = issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId });
    const recipient = { ltiPlatformId: c.emulator.issuer, ltiUserId: learnerId };
    expect(keyedSubjectId(await subjectKeyOf(issuerKey), recipient)).toBe(credential.credentialSubject.id);
    expect(keyedSubjectId(await subjectKeyOf('another-issuer'), recipient)).not.toBe(credential.credentialSubject.id);
    const stored = await SubjectKeyModel.findById(issuerKey).lean();
    expect(stored!.sealedKey).toMatch(/^v1\./);
    expect(JSON.stringify(credential)).not.toContain(`"${learnerId}"`);
  });

  it('links LinkedIn\'s Add to profile to the issuer\'s LinkedIn organization once the administrator set it', async () => {
    const learner = c.emulator.course.users.find((u) => u.id === awards[0]!.userId)!;
    const addToProfile = async () => {
      const me = await launchAs(learner);
      const page = await request(laurel.url).get(`/me?ltik=${encodeURIComponent(me.ltik)}`).set('Accept', 'text/html');
      expect(page.status, page.text.slice(0, 500)).toBe(200);
      const hrefs = [...page.text.matchAll(/href="(https:\/\/www\.linkedin\.com\/profile\/add[^"]*)"/g)].map((m) => new URL(m[1]!.replaceAll('&amp;', '&')));
      expect(hrefs.length).toBeGreaterThan(0);
      return hrefs[0]!;
    };
    expect((await addToProfile()).searchParams.get('organizationName')).toBe('Example University');
    const registration = { issuer: c.emulator.issuer, clientId: c.clientId };
    await saveIssuerProfile(registration, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu', linkedInOrganizationId: '12345678' }, 'test');
    const url = await addToProfile();
    expect(url.searchParams.get('organizationId')).toBe('12345678');
    expect(url.searchParams.get('name')).toBe('Quiz 1 <Mastery>');
    await saveIssuerProfile(registration, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
  });

  it('shows the learner\'s name on the public page only when the learner chose to', async () => {
    const award = awards[0]!;
    const learner = c.emulator.course.users.find((u) => u.id === award.userId)!;
    expect(htmlText((await get(award.links.page)).text)).not.toContain(learner.name);
    const me = await launchAs(learner);
    expect((await me.put(`/api/me/awards/${award.id}/sharing`, { showName: true })).status).toBe(200);
    expect(htmlText((await get(award.links.page)).text)).toContain(learner.name);
    // Another learner cannot change it.
    const other = c.emulator.course.users.find((u) => u.role === 'Learner' && u.id !== learner.id)!;
    expect((await (await launchAs(other)).put(`/api/me/awards/${award.id}/sharing`, { showName: false })).status).toBe(404);
  });

  it('serves Open Badges 2.0 hosted assertions that 1EdTech\'s validator accepts, and reports a revoked one as revoked', async () => {
    const learner = c.emulator.course.users.find((u) => u.id === awards[0]!.userId)!;
    const valid = await validateOb2(awards[0]!.links.ob2Assertion, { recipient: { email: learner.email }, revocationList: true });
    expect(valid.report.messages).toEqual([]);
    expect(valid.report).toMatchObject({ valid: true, errorCount: 0, openBadgesVersion: '2.0' });
    // The validator (1.1.2) misreads a revocation list of one entry (JSON-LD compaction turns the
    // one-item list into an object): revoke a second award so the list holds two, as it would.
    expect((await staff.post(`/api/course/awards/${awards[2]!.id}/revoke`, { reason: 'Duplicate award' })).status).toBe(200);
    const revokedLearner = c.emulator.course.users.find((u) => u.id === awards[1]!.userId)!;
    // Hosted verification's answer for a revoked assertion: 410 Gone, the assertion itself as the body.
    const gone = await get(awards[1]!.links.ob2Assertion);
    expect(gone.status).toBe(410);
    expect(gone.headers['content-type']).toMatch(/application\/ld\+json/);
    expect(JSON.parse(gone.text)).toMatchObject({ id: awards[1]!.links.ob2Assertion, type: 'Assertion', revoked: true, revocationReason: 'Awarded on a <mis-graded> quiz' });
    expect((await get(awards[0]!.links.ob2Assertion)).status).toBe(200);
    const revoked = await validateOb2(awards[1]!.links.ob2Assertion, { recipient: { email: revokedLearner.email }, revocationList: true });
    // Revoked, with its reason, and nothing else: the 410 is no fetch error of Laurel's.
    expect(revoked.report).toMatchObject({ valid: false, errorCount: 1, warningCount: 0, openBadgesVersion: '2.0' });
    expect(revoked.report.messages).toEqual([expect.objectContaining({
      name: 'VERIFY_SIGNED_ASSERTION_NOT_REVOKED', messageLevel: 'ERROR',
      result: expect.stringMatching(/has been revoked in RevocationList .* with reason: Awarded on a <mis-graded> quiz/),
    })]);
    expect(revoked.graph.find((n) => n.id === awards[1]!.links.ob2Assertion)).toMatchObject({ revoked: true, revocationReason: 'Awarded on a <mis-graded> quiz' });
  });

  it('bakes images that 1EdTech\'s bakery reads (2.0 PNG and SVG), and 3.0 PNGs that carry the signed credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'laurel-baked-'));
    const award = awards[0]!;
    const ob2Png = Buffer.from(await (await fetch(award.links.ob2Png)).arrayBuffer());
    writeFileSync(join(dir, 'ob2.png'), ob2Png);
    expect(bakeryExtract(join(dir, 'ob2.png'))).toBe(award.links.ob2Assertion);
    const ob2Svg = await (await fetch(award.links.ob2Svg)).text();
    writeFileSync(join(dir, 'ob2.svg'), ob2Svg);
    expect(bakeryExtract(join(dir, 'ob2.svg'))).toBe(award.links.ob2Assertion);
    const ob3Png = Buffer.from(await (await fetch(award.links.png)).arrayBuffer());
    const baked = JSON.parse(unbakePng(ob3Png, 'openbadgecredential')!);
    expect(baked).toEqual(credential);
    expect((await verifyDataIntegrity(baked)).verified).toBe(true);
  });
});

