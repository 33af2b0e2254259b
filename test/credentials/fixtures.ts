/**
 * Realistic inputs for the credential tests, and a did:web host: a small HTTP server that
 * publishes the issuer's DID document and JWKs, resolved the way an outside verifier would
 * (over HTTP; did:web says https, a local test serves http).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import { createDocumentLoader, type JsonObject } from '../../src/credentials/documentLoader.js';
import { didDocument, publicJwks } from '../../src/credentials/didDocument.js';
import type { Ed25519Key, RsaKey } from '../../src/credentials/keys.js';
import type { Achievement, AwardFacts, Issuer, Recipient, StatusEntry } from '../../src/credentials/model.js';
import { issuerDid, issuerUrls } from '../../src/credentials/urls.js';

export const fixturesDir = new URL('../../../shared/fixtures/openbadges/', import.meta.url);

export function readFixture(path: string): JsonObject {
  return JSON.parse(readFileSync(new URL(path, fixturesDir), 'utf8')) as JsonObject;
}

/**
 * 1EdTech's JSON Schema for OB 3.0 credentials (draft 2019-09). ajv-formats is not installed, so
 * the two formats the schema uses are registered here, strictly enough to catch a wrong date.
 */
export function ob3Schema() {
  const ajv = new Ajv2019.default({ allErrors: true, strict: false });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  return ajv.compile(readFixture('schema/ob_v3p0_achievementcredential.json'));
}

export function achievement(overrides: Partial<Achievement> = {}): Achievement {
  return {
    key: 'Xq3b1Lm9Rk2pT7vW8yZa0c',
    name: 'Lab Safety — Level 2',
    description: 'Handles chemicals and equipment safely in the teaching laboratory.',
    criteriaNarrative: 'Earn at least 80 % on Quiz 2 and complete Lab: Safety.',
    imageUrl: 'https://badges.example.edu/achievements/Xq3b1Lm9Rk2pT7vW8yZa0c/image',
    tags: ['safety', 'chemistry'],
    alignments: [
      { targetName: 'Laboratory safety', targetUrl: 'https://example.edu/competencies/lab-safety', targetFramework: 'Example University Competencies', targetCode: 'LS-2' },
      { targetName: 'Risk assessment', targetUrl: 'https://example.edu/competencies/risk' },
    ],
    ...overrides,
  };
}

export const withEmail: Recipient = {
  ltiUserId: '8f1c3e2a-5b6d-4e7f-9a0b-1c2d3e4f5a6b',
  ltiPlatformId: 'https://canvas.instructure.com',
  subjectId: 'urn:uuid:6f0b3c1e-2a4d-8e5f-9a7b-0c1d2e3f4a5b',
  email: 'Ada.Lovelace@student.example.edu',
  salt: '4b1d2c9e0f7a8b3c',
  name: 'Ada Lovelace',
};

export const withoutEmail: Recipient = {
  ltiUserId: '42',
  ltiPlatformId: 'https://moodle.example.edu',
  subjectId: 'urn:uuid:1d2c3b4a-5f6e-8d7c-8b9a-0f1e2d3c4b5a',
  salt: 'a8c0e1f2d3b4',
};

export function award(overrides: Partial<AwardFacts> = {}): AwardFacts {
  return {
    publicId: 'kT4v9QmZ2xWc7bN1pR8sLd',
    awardedAt: new Date('2026-11-23T10:00:00Z'),
    validUntil: new Date('2028-11-23T10:00:00Z'),
    evidence: [
      { name: 'Quiz 2', narrative: 'Scored 86 %' },
      { id: 'https://canvas.example.edu/courses/12/assignments/7/submissions/42', name: 'Lab report' },
    ],
    ...overrides,
  };
}

export const status: StatusEntry = { listKey: 'l1', index: 94567 };

/** A running did:web host for one issuer, whose published keys the test changes at will. */
export interface IssuerHost {
  base: string;
  issuer: Issuer;
  published: { ed25519: Ed25519Key[]; rsa: RsaKey[] };
  /** Status list credentials served at their URL. */
  statusLists: Map<string, JsonObject>;
  documentLoader: ReturnType<typeof createDocumentLoader>;
  resolveKey: (kid: string) => Promise<JWK | undefined>;
  fetchStatusList: (url: string) => Promise<JsonObject>;
  close(): Promise<void>;
}

export async function startIssuerHost(issuerKey = 'canvas-1'): Promise<IssuerHost> {
  const published: IssuerHost['published'] = { ed25519: [], rsa: [] };
  const statusLists = new Map<string, JsonObject>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const urls = issuerUrls(base, issuerKey);
    const url = `${base}${req.url}`;
    const did = issuerDid(base, issuerKey);
    const body = url === urls.didDocument ? didDocument(did, published)
      : url === urls.jwks ? publicJwks(did, published.rsa)
      : statusLists.get(url);
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ? JSON.stringify(body) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const getJson = async (url: string) => {
    const res = await fetch(url);
    return res.ok ? ((await res.json()) as JsonObject) : undefined;
  };
  // did:web:<host>:<path…> → https://<host>/<path…>/did.json; http here, the test host has no TLS.
  const resolveDid = async (did: string) => {
    const [, , host, ...path] = did.split(':');
    return getJson(`http://${decodeURIComponent(host!)}/${path.join('/')}/did.json`);
  };
  const jwksUrl = issuerUrls(base, issuerKey).jwks;
  return {
    base,
    issuer: {
      key: issuerKey, did: issuerDid(base, issuerKey), name: 'Example University', url: 'https://example.edu',
      email: 'badges@example.edu', description: 'Badges of the Faculty of Science', imageUrl: 'https://example.edu/logo.png',
    },
    published,
    statusLists,
    documentLoader: createDocumentLoader({ resolveDid }),
    resolveKey: async (kid) => ((await getJson(jwksUrl))?.keys as JWK[] | undefined)?.find((k) => k.kid === kid),
    fetchStatusList: async (url) => {
      const list = await getJson(url);
      if (!list) throw new Error(`${url} answered no status list`);
      return list;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
