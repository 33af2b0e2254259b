/**
 * Issuance benchmark (issue: Open Badges anyone can verify): 10,000 awards of one course become
 * signed credentials (Data Integrity proof and VC-JWT, status entry, stored), each then baked
 * into its PNG; against the bare rate of @digitalbazaar/vc signing the same credential with the
 * same suite, measured in the same run. Peak memory of the process is sampled throughout.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issue } from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { startLocalFerret } from '../src/store/localFerret.js';
import { connectDatabase, disconnectDatabase } from '../src/store/connect.js';
import { ensureIndexes } from '../src/store/indexes.js';
import { configureSealing } from '../src/secrets/sealed.js';
import { recordCourseLaunch } from '../src/store/course.js';
import { saveBadge } from '../src/store/badge.js';
import { createAwards } from '../src/store/award.js';
import { issueWaitingCredentials } from '../src/awards/issueCredential.js';
import { IssuedCredentialModel } from '../src/store/issuedCredential.js';
import { laurelDocumentLoader } from '../src/awards/issuerDocuments.js';
import { bakePng } from '../src/credentials/baking/png.js';
import { defaultBadgeImage } from '../src/credentials/badgeImage.js';

const AWARDS = Number(process.env.BENCH_AWARDS ?? 10_000);
const BARE_SIGNATURES = 300;
const BASE = 'https://badges.example.edu';

const phase = (what: string) => process.stderr.write(`[issuance] ${what} (rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB)\n`);

export async function issuanceBenchmark(): Promise<Record<string, number>> {
  phase('starting FerretDB');
  const dir = mkdtempSync(join(tmpdir(), 'laurel-bench-'));
  const db = await startLocalFerret(dir);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  try {
    await connectDatabase(db.uri);
    await ensureIndexes({ ttl: false });
    configureSealing(randomBytes(32).toString('hex'));
    const course = await recordCourseLaunch({
      issuer: 'https://canvas.example.edu', clientId: 'bench', deploymentId: '1', contextId: 'course-1', title: 'Bench course', label: 'B1',
      agsScopes: [], productFamily: 'canvas',
    });
    await saveBadge(course.courseKey, {
      id: 'badge-1', name: 'Lab Safety — Level 2', description: 'Handles the lab safely.', tags: ['safety'], issueMode: 'automatic', evidenceRequired: false,
      alignments: [{ targetName: 'Lab safety', targetUrl: 'https://example.edu/skills/lab-safety' }], validFor: 'P2Y',
      rules: { kind: 'all', rules: [{ kind: 'approval' }] },
    }, 'bench');
    const learners = Array.from({ length: AWARDS }, (_, i) => `learner-${i}`);
    await createAwards(learners.map((userId, i) => ({
      courseKey: course.courseKey, badgeId: 'badge-1', userId, status: 'awarded' as const, origin: 'rules' as const,
      recipient: { email: `learner${i}@student.example.edu`, name: `Learner ${i}` },
    })));

    phase(`Laurel: ${AWARDS} awards to signed, stored, baked credentials`);
    let started = performance.now();
    const issued = await issueWaitingCredentials(BASE, course.courseKey, (n) => { if (n % 1000 === 0) phase(`  ${n} issued`); });
    const image = (await defaultBadgeImage({ name: 'Lab Safety — Level 2', level: 2 })).png;
    let baked = 0;
    for await (const c of IssuedCredentialModel.find({ courseKey: course.courseKey }, { credentialJson: 1 }).lean().cursor({ batchSize: 100 })) {
      baked += bakePng(image, 'openbadgecredential', c.credentialJson).length > image.length ? 1 : 0;
    }
    const laurelRate = issued / ((performance.now() - started) / 1000);
    if (issued !== AWARDS || baked !== AWARDS) throw new Error(`issued ${issued} and baked ${baked} of ${AWARDS}`);

    // The bare rate: @digitalbazaar/vc alone signing the very credentials Laurel issued (proof
    // removed), with the same suite and the same static contexts: the work no issuer can avoid.
    phase(`bare @digitalbazaar/vc signing of ${BARE_SIGNATURES} of the same credentials`);
    const sample = (await IssuedCredentialModel.find({ courseKey: course.courseKey }, { credentialJson: 1 }).limit(BARE_SIGNATURES).lean())
      .map((c) => { const { proof: _proof, ...unsigned } = JSON.parse(c.credentialJson) as Record<string, unknown>; return unsigned; });
    const issuerDid = (sample[0]!.issuer as { id: string }).id;
    const pair = await Ed25519Multikey.generate({ id: `${issuerDid}#bare`, controller: issuerDid });
    const suite = new DataIntegrityProof({ signer: pair.signer(), cryptosuite });
    const documentLoader = laurelDocumentLoader(BASE);
    started = performance.now();
    for (const credential of sample) await issue({ credential, suite, documentLoader });
    const bareRate = sample.length / ((performance.now() - started) / 1000);

    const ratio = laurelRate / bareRate;
    console.log(`issuance: ${AWARDS} awards, Data Integrity (eddsa-rdfc-2022) + VC-JWT (RS256), stored, baked into PNG`);
    console.log(`  Laurel              ${laurelRate.toFixed(1)} credentials/s`);
    console.log(`  bare @digitalbazaar/vc signing  ${bareRate.toFixed(1)} credentials/s (same run)`);
    console.log(`  ratio               ${ratio.toFixed(2)} (target ≥ 0.80)`);
    console.log(`  peak RSS            ${(peak / 2 ** 20).toFixed(0)} MB (target < 300 MB)`);
    return {
      credentialsPerSecond: Number(laurelRate.toFixed(1)),
      bareCredentialsPerSecond: Number(bareRate.toFixed(1)),
      ratioToBare: Number(ratio.toFixed(3)),
      peakRssMB: Math.round(peak / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
    await disconnectDatabase();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
