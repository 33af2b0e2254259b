/**
 * Where a credential's `criteria.id` leads: the badge's own address. A person following it from a
 * wallet or a portfolio reads a page (in their language) with the criteria at `#criteria`; a
 * verifier asking for JSON gets the OB 3.0 Achievement the credential embeds, with contexts it
 * ships, that 1EdTech's schema accepts. Checked on a real award issued through the emulated LMS.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import Ajv2019 from 'ajv/dist/2019.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, type Connected } from '../support/lms.js';
import { earnedBadge, instructorApi } from '../support/courseApi.js';
import { htmlText } from '../support/html.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let laurel: RunningLaurel;
let c: Connected;
let credential: Record<string, any>;
let achievementPath: string;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu' }, 'test');
  const { links } = await earnedBadge(await instructorApi(laurel, c), {
    name: 'Lab <Safety>', description: 'Knows the lab\'s safety rules.',
    alignments: [{ targetName: 'Lab safety', targetUrl: 'https://example.edu/competencies/lab-safety', targetFramework: 'Example Skills' }],
  });
  credential = (await request(laurel.url).get(new URL(links.credential).pathname)).body;
  achievementPath = new URL(credential.credentialSubject.achievement.id).pathname;
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('the badge\'s address, for a person', () => {
  it('is a page with the badge, its criteria where criteria.id points, its skills and its issuer', async () => {
    expect(credential.credentialSubject.achievement.criteria.id).toBe(`${laurel.url}${achievementPath}#criteria`);
    const res = await request(laurel.url).get(achievementPath).set('Accept', BROWSER);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers.vary).toMatch(/Accept(,|$)/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toMatch(/<h2 id="criteria">Criteria<\/h2>/);
    expect(res.text).toContain('<h1>Lab &lt;Safety&gt;</h1>');
    expect(res.text).toContain(`src="${credential.credentialSubject.achievement.image.id}"`);
    expect(res.text).toContain('<a href="https://example.edu" rel="noopener">Example University</a>');
    expect(res.text).toContain('<a href="https://example.edu/competencies/lab-safety" rel="noopener">Lab safety</a> (Example Skills)');
    expect(res.text).toContain(`href="${laurel.url}/issuers/`);
    expect(res.text).not.toMatch(/<script/i);
    const text = htmlText(res.text);
    expect(text).toContain(credential.credentialSubject.achievement.criteria.narrative.replace(/\s+/g, ' ').trim());
    expect(text).toContain('Knows the lab\'s safety rules.');
    expect(text).toContain('How to earn it');
  });

  it('speaks French to a French browser', async () => {
    const res = await request(laurel.url).get(achievementPath).set('Accept', BROWSER).set('Accept-Language', 'fr-CA,fr;q=0.9');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toMatch(/<h2 id="criteria">Critères<\/h2>/);
    expect(htmlText(res.text)).toContain('Comment l\'obtenir');
    expect(htmlText(res.text)).toContain('Proposé par Example University');
    expect(res.headers.vary).toMatch(/Accept-Language/);
  });
});

describe('the badge\'s address, for a program', () => {
  const json = async (accept?: string) => {
    const req = request(laurel.url).get(achievementPath);
    const res = await (accept ? req.set('Accept', accept) : req);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers.vary).toMatch(/Accept/);
    return JSON.parse(res.text) as Record<string, any>;
  };

  it('is the OB 3.0 Achievement the credential embeds, with its contexts and its creator, whatever JSON is asked for', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/ld+json']) {
      const { '@context': context, creator, ...achievement } = await json(accept);
      expect(context).toEqual(['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
      expect(achievement).toEqual(credential.credentialSubject.achievement);
      expect(creator).toEqual(credential.issuer);
      expect(achievement.type).toEqual(['Achievement']);
    }
  });

  it('names only contexts the DCC\'s loader ships (offline, as careful verifiers load them)', async () => {
    const { securityLoader } = await import('@digitalcredentials/security-document-loader');
    const shipped = securityLoader({ fetchRemoteContexts: false }).build();
    const doc = await json('application/ld+json');
    for (const url of doc['@context']) await expect(shipped(url), url).resolves.toBeTruthy();
  });

  it('is an Achievement to 1EdTech\'s schema', async () => {
    const ajv = new Ajv2019.default({ allErrors: true, strict: false, validateFormats: false });
    const schema = JSON.parse(readFileSync(new URL('../../../shared/fixtures/openbadges/schema/ob_v3p0_achievementcredential.json', import.meta.url), 'utf8'));
    ajv.addSchema(schema);
    const validate = ajv.getSchema(`${schema.$id}#/$defs/Achievement`)!;
    expect(validate).toBeTypeOf('function');
    const doc = await json('application/ld+json');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // The schema checks what it is given: an Achievement without its criteria fails.
    expect(validate({ ...doc, criteria: undefined, name: 3 })).toBe(false);
  });
});
