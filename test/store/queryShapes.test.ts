/**
 * The query-shape check (test/support/queryShapes/): every test process records the shape of
 * each query Laurel sends, and the run fails when one is served by no declared index. Proven
 * here on made-up shapes (one served, one not, one allowed), so the check can fail; and on real
 * queries, so the recorder really sees what Laurel sends.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, disconnectDatabase } from '../../src/store/connect.js';
import { AwardModel, awardById, awardOf } from '../../src/store/award.js';
import { allowedScans } from '../support/queryShapes/allowedScans.js';
import { checkRun } from '../support/queryShapes/check.js';
import { branchesOf, describeShape, shapesOfCall, type QueryShape } from '../support/queryShapes/shape.js';
import { serves, unservedShapes, type AllowedScan, type DeclaredIndex, type RecordedShape } from '../support/queryShapes/served.js';
import { testDatabaseUri } from '../support/database.js';

const root = resolve(__dirname, '../..');

describe('a query\'s shape', () => {
  it('keeps the fields a filter tests and how, never the values', () => {
    const [shape] = shapesOfCall('awards', 'find', [
      { courseKey: 'c1', status: { $in: ['awarded', 'pending'] }, awardedAt: { $gte: new Date(0), $lt: new Date() }, userId: { $ne: 'u9' } },
      { sort: { awardedAt: -1 }, limit: 10, projection: { _id: 0 } },
    ]);
    expect(shape).toEqual({
      collection: 'awards', operation: 'find',
      filter: [{ awardedAt: '$gte,$lt', courseKey: '=', status: '$in', userId: '$ne' }],
      sort: ['awardedAt:-1'], limit: true,
    });
    expect(JSON.stringify(shape)).not.toMatch(/"c1"|"u9"|"awarded"|"pending"/);
  });

  it('splits $or into branches, merges $and, and takes an embedded document or an id as a value', () => {
    expect(branchesOf({ courseKey: 'c', $or: [{ userId: 'u' }, { badgeId: { $in: ['b'] } }] }))
      .toEqual([{ courseKey: '=', userId: '=' }, { badgeId: '$in', courseKey: '=' }]);
    expect(branchesOf({ $and: [{ a: { $gt: 1 } }, { a: { $lt: 5 } }, { b: { x: 1 } }], _id: new mongoose.Types.ObjectId() }))
      .toEqual([{ _id: '=', a: '$gt,$lt', b: '=' }]);
    expect(branchesOf({ concludedAt: { $exists: false }, lmsCourseId: { $exists: true } })).toEqual([{ concludedAt: '$exists:false', lmsCourseId: '$exists' }]);
    expect(branchesOf({})).toEqual([{}]);
    expect(branchesOf({ name: /^a/, $expr: { $gt: ['$a', '$b'] } })).toEqual([{ $expr: '$expr', name: '$regex' }]);
  });

  it('reads the options where each driver method takes them, a bulkWrite\'s writes and an aggregation\'s leading $match', () => {
    expect(shapesOfCall('leases', 'findOneAndUpdate', [{ name: 'n', until: { $lt: new Date() } }, { $set: { by: 'x' } }, { sort: { until: 1 } }]))
      .toEqual([{ collection: 'leases', operation: 'findOneAndUpdate', filter: [{ name: '=', until: '$lt' }], sort: ['until:1'], limit: true }]);
    expect(shapesOfCall('awards', 'findOneAndDelete', [{ id: 'x' }, { sort: { at: -1 } }])[0]!.sort).toEqual(['at:-1']);
    expect(shapesOfCall('awards', 'bulkWrite', [[
      { insertOne: { document: { _id: 'a' } } },
      { updateOne: { filter: { _id: 'a' }, update: { $set: { x: 1 } } } },
      { deleteMany: { filter: { courseKey: 'c' } } },
    ]]).map((s) => `${s.operation} ${JSON.stringify(s.filter)}`)).toEqual(['bulkWrite.updateOne [{"_id":"="}]', 'bulkWrite.deleteMany [{"courseKey":"="}]']);
    expect(shapesOfCall('awards', 'aggregate', [[{ $match: { courseKey: 'c' } }, { $sort: { at: -1 } }, { $group: { _id: '$badgeId' } }]]))
      .toEqual([{ collection: 'awards', operation: 'aggregate', filter: [{ courseKey: '=' }], sort: ['at:-1'], limit: false }]);
    expect(shapesOfCall('awards', 'aggregate', [[{ $group: { _id: '$badgeId' } }]])[0]!.filter).toEqual([{}]);
    expect(shapesOfCall('awards', 'insertOne', [{ _id: 'a' }])).toEqual([]);
    expect(shapesOfCall('awards', 'createIndex', [{ courseKey: 1 }])).toEqual([]);
  });
});

describe('the index check', () => {
  const courseAndLearner: DeclaredIndex = { keys: [['courseKey', 1], ['userId', 1]] };
  const expiry: DeclaredIndex = { keys: [['expiresAt', 1]] };
  const indexes = new Map([['awards', [courseAndLearner]], ['launchstates', [expiry]]]);
  const shape = (collection: string, filter: Record<string, string>, from: string, more: Partial<QueryShape> = {}): RecordedShape =>
    ({ collection, operation: 'find', filter: [filter], sort: [], limit: false, from, ...more });
  const served = [
    shape('awards', { courseKey: '=' }, 'src/a.ts:1'), // the leading key alone
    shape('awards', { courseKey: '=', userId: '=', status: '=' }, 'src/a.ts:2'), // the whole index, and more
    shape('awards', { courseKey: '$in', badgeId: '=' }, 'src/a.ts:3'), // $in bounds the leading key
    shape('awards', { _id: '=' }, 'src/a.ts:4'), // every collection has _id's
    shape('launchstates', { expiresAt: '$lt' }, 'src/sweeper.ts:5'), // a range on the leading key
    shape('launchstates', {}, 'src/a.ts:6', { sort: ['expiresAt:1'], limit: true }), // a few, in index order
    shape('launchstates', { expiresAt: '$exists:false' }, 'src/a.ts:7'), // the index holds a missing field as null
  ];
  const notServed = shape('awards', { status: '=', userId: '=' }, 'src/learner.ts:7'); // the second key only
  const scan = shape('awards', {}, 'src/admin/listing.ts:8');
  const allowed: AllowedScan[] = [{ collection: 'awards', operation: 'find', filter: {}, from: 'src/admin/listing.ts', reason: 'made up' }];

  it('passes what an index serves, fails what none does, and passes a scan only from where it is allowed', () => {
    expect(unservedShapes([...served, notServed, scan], indexes, allowed).map((u) => u.description))
      .toEqual(['awards.find { status =, userId = }   from src/learner.ts:7']);
    const sameScanElsewhere = { ...scan, from: 'src/learner/page.ts:9' };
    expect(unservedShapes([sameScanElsewhere], indexes, allowed).map((u) => u.description)).toEqual(['awards.find { }   from src/learner/page.ts:9']);
  });

  it('serves neither through $ne or $exists, nor by a partial index, nor in sort order without a limit', () => {
    const one = shape('awards', { courseKey: '$ne', userId: '$exists' }, 'x');
    expect(serves(courseAndLearner, one, one.filter[0]!)).toBe(false);
    const partial: DeclaredIndex = { keys: [['courseKey', 1]], partial: true };
    const two = shape('awards', { courseKey: '=' }, 'x');
    expect(serves(partial, two, two.filter[0]!)).toBe(false);
    const all = shape('launchstates', {}, 'x', { sort: ['expiresAt:1'] });
    expect(serves(expiry, all, {})).toBe(false);
  });

  it('judges each branch of an $or: one unserved branch is enough to fail', () => {
    const either: RecordedShape = { ...shape('awards', {}, 'src/a.ts:10'), filter: [{ courseKey: '=' }, { badgeId: '=' }] };
    expect(unservedShapes([either], indexes, []).map((u) => describeShape(u.shape, u.branch))).toEqual(['awards.find { badgeId = }']);
  });

  it('fails a run whose recording holds an unserved query of Laurel\'s, and leaves out a test\'s own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'laurel-shapes-'));
    try {
      const line = (o: object) => `${JSON.stringify(o)}\n`;
      writeFileSync(join(dir, 'shapes-1.jsonl'), line({ kind: 'indexes', collection: 'awards', indexes: [courseAndLearner] })
        + line({ kind: 'shape', ...shape('awards', { courseKey: '=' }, 'src/a.ts:1') })
        + line({ kind: 'shape', ...shape('awards', { status: '=' }, 'test/x.test.ts:3') }));
      const logged: string[] = [];
      expect(checkRun(dir, { log: (l) => logged.push(l) })).toBe(true);
      expect(logged).toEqual([]);
      writeFileSync(join(dir, 'shapes-2.jsonl'), line({ kind: 'shape', ...notServed }));
      expect(checkRun(dir, { log: (l) => logged.push(l) })).toBe(false);
      expect(logged.join('\n')).toContain('awards.find { status =, userId = }   from src/learner.ts:7');
      expect(logged.join('\n')).not.toContain('test/x.test.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a reason for every allowed scan, and names a file that exists', () => {
    for (const entry of allowedScans) {
      expect(entry.reason.length, JSON.stringify(entry)).toBeGreaterThan(20);
      const file = entry.from.startsWith('ltijs/') ? join(root, 'node_modules', entry.from) : join(root, entry.from);
      expect(existsSync(file), entry.from).toBe(true);
    }
  });
});

describe('the recorder, on real queries', () => {
  beforeAll(async () => { await connectDatabase(testDatabaseUri()); });
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase();
    await disconnectDatabase();
  });

  it('records what Laurel sends with the line that sent it and the collection\'s indexes, and what a test sends as the test\'s', async () => {
    await awardById('no-such-award');
    await awardOf('course', 'badge', 'learner');
    await AwardModel.find({ userId: 'learner' }).lean();
    const dir = process.env.LAUREL_QUERY_SHAPES_DIR!;
    const lines = readdirSync(dir).filter((n) => n.endsWith('.jsonl'))
      .flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    const shapes = lines.filter((l) => l.kind === 'shape' && l.collection === 'awards');
    const from = (s: Record<string, unknown>) => `${s.operation} ${JSON.stringify(s.filter)} ${s.from}`;
    expect(shapes.map(from)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^findOne \[\{"id":"="\}\] src\/store\/award\.ts:\d+$/),
      expect.stringMatching(/^findOne \[\{"_id":"="\}\] src\/store\/award\.ts:\d+$/),
      expect.stringMatching(/^find \[\{"userId":"="\}\] test\/store\/queryShapes\.test\.ts:\d+$/),
    ]));
    const awards = lines.find((l) => l.kind === 'indexes' && l.collection === 'awards');
    expect(awards?.indexes).toEqual(expect.arrayContaining([{ keys: [['id', 1]] }, { keys: [['courseKey', 1], ['userId', 1]] }]));
  });
});
