/**
 * An installation from before the records were keyed: ltijs 5 and Laurel 0.1 stored its platforms,
 * key pairs, launches' tokens, courses, deployments… under ObjectIds, with unique indexes on the
 * fields they were found by. At start those documents move under their key (store/rekey.ts): the
 * platform launches again, a session opened before goes on, nothing is lost or doubled, and a
 * second start, or one after a run stopped halfway, changes nothing more; once a start found
 * nothing to move, later starts do not look (each look reads whole collections on FerretDB).
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { ensureIndexes } from '../../src/store/indexes.js';
import { moveUnkeyedRecords, rekeyStoredRecords } from '../../src/store/rekey.js';
import { courseKeyOf } from '../../src/store/course.js';
import { issuerProfileOf, saveIssuerProfile } from '../../src/store/issuerProfile.js';

/** Each keyed collection with the unique indexes ltijs 5.9 and Laurel 0.1 gave it. */
const LEGACY_UNIQUE: Record<string, Record<string, 1>[]> = {
  platforms: [{ kid: 1 }, { platformUrl: 1, clientId: 1 }],
  platformstatuses: [{ id: 1 }],
  publickeys: [{ kid: 1 }],
  privatekeys: [{ kid: 1 }],
  accesstokens: [{ platformUrl: 1, clientId: 1, scopes: 1 }],
  states: [{ state: 1 }],
  idtokens: [],
  contexttokens: [],
  nonces: [],
  courses: [{ courseKey: 1 }],
  deployments: [{ issuer: 1, clientId: 1, deploymentId: 1 }],
  launchstates: [{ state: 1 }],
  usednonces: [{ issuer: 1, nonce: 1 }],
  platformframeorigins: [{ issuer: 1, clientId: 1 }],
  lmsconnections: [{ issuer: 1, clientId: 1 }],
  issuerprofiles: [{ key: 1 }],
};

let laurel: RunningLaurel;
let canvas: Connected;
const db = () => mongoose.connection.db!;

beforeAll(async () => {
  laurel = await startLaurel();
  canvas = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => {
  await canvas?.emulator.close();
  await laurel?.close();
});

function person(role: 'Instructor' | 'Learner') {
  return canvas.emulator.course.users.find((u) => u.role === role && u.status === 'Active')!;
}

/** A whole launch: where it landed, with its session token. */
async function launch(role: 'Instructor' | 'Learner') {
  const steps = await startLaunch(canvas, { userId: person(role).id });
  const res = await finishLaunch(steps);
  return { steps, res };
}

/** Every keyed collection as the earlier version left it: ObjectIds, `__v`, and its unique indexes; and no mark that moving is done. */
async function asBefore(): Promise<void> {
  await db().collection('storemigrations').deleteMany({});
  for (const [name, unique] of Object.entries(LEGACY_UNIQUE)) {
    const docs = db().collection(name);
    const all = await docs.find({}).toArray();
    await docs.deleteMany({});
    for (const index of await docs.indexes()) if (index.name !== '_id_') await docs.dropIndex(index.name!);
    for (const key of unique) await docs.createIndex(key, { unique: true });
    if (all.length) await docs.insertMany(all.map(({ _id, ...fields }) => ({ _id: new mongoose.Types.ObjectId(), ...fields, __v: 0 })));
  }
}

async function legacyLeft(): Promise<string[]> {
  const left: string[] = [];
  for (const name of Object.keys(LEGACY_UNIQUE)) {
    const n = await db().collection(name).countDocuments({ _id: { $type: 'objectId' } });
    if (n) left.push(`${name}: ${n}`);
  }
  return left;
}

/** Documents in each keyed collection; ltijs's nonces left out, which the sweeper deletes after 10 s. */
async function countsNow(): Promise<Record<string, number>> {
  const names = Object.keys(LEGACY_UNIQUE).filter((name) => name !== 'nonces');
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await db().collection(name).countDocuments({})] as const)));
}

describe('records stored before they were keyed', () => {
  it('move under their key at start: the platform launches again and a session opened before goes on', async () => {
    const staff = await launch('Instructor');
    expect(staff.res.status).toBe(303);
    const page = await staff.steps.browser.go('get', laurel.url + staff.res.headers.location);
    expect(page.status).toBe(200);
    await saveIssuerProfile({ issuer: canvas.emulator.issuer, clientId: canvas.clientId }, { name: 'Université Exemple', url: 'https://univ.example.edu' }, 'admin');
    expect((await launch('Learner')).res.status).toBe(303);

    await asBefore();
    const before = await countsNow();
    expect(before.platforms).toBe(1);
    expect(before.idtokens).toBe(2);
    expect(before.courses).toBe(1);
    // Found by key only, the earlier records are not found: the login does not know the platform.
    const lost = await startLaunch(canvas, { userId: person('Learner').id }).catch((err: Error) => err);
    expect(String(lost)).toMatch(/login answered 400/);

    await ensureIndexes({ ttl: false });
    expect(await legacyLeft()).toEqual([]);
    expect(await countsNow()).toEqual(before);
    // The unique indexes on the old lookup fields are gone (the _id is unique); what the models declare is there.
    const platformIndexes = (await db().collection('platforms').indexes()).map((i) => [i.key, Boolean(i.unique)]);
    expect(platformIndexes).toEqual(expect.arrayContaining([[{ platformUrl: 1 }, false], [{ kid: 1 }, false]]));
    expect(platformIndexes).not.toContainEqual([{ platformUrl: 1, clientId: 1 }, true]);
    expect((await db().collection('courses').indexes()).find((i) => i.name === 'courseKey_1')?.unique).toBeFalsy();

    // The session token from before opens the page (its id and context tokens moved), and the platform launches.
    const again = await staff.steps.browser.go('get', laurel.url + staff.res.headers.location);
    expect(again.status).toBe(200);
    expect(again.text).toContain(canvas.emulator.course.title);
    const learner = await launch('Learner');
    expect(learner.res.status).toBe(303);
    expect((await learner.steps.browser.go('get', laurel.url + learner.res.headers.location)).status).toBe(200);
    expect((await issuerProfileOf({ issuer: canvas.emulator.issuer, clientId: canvas.clientId })).name).toBe('Université Exemple');
    expect(await db().collection('courses').countDocuments({})).toBe(1);
  });

  it('move nothing on a second start, which says moving is done; later starts do not look again', async () => {
    const counts = await countsNow();
    expect(await db().collection('storemigrations').countDocuments({}), 'not done after a pass that moved records').toBe(0);
    expect(await rekeyStoredRecords()).toEqual([]);
    expect(await countsNow()).toEqual(counts);
    expect(await db().collection('storemigrations').findOne({})).toMatchObject({ _id: 'records-keyed', doneAt: expect.any(Date) });
    // A record stored the earlier way after that is not looked for (nor found by a launch): starts no longer scan.
    const courses = db().collection('courses');
    const stray = new mongoose.Types.ObjectId();
    await courses.insertOne({ _id: stray, courseKey: 'stray-course', __v: 0 } as never);
    expect(await rekeyStoredRecords()).toEqual([]);
    expect(await courses.countDocuments({ _id: stray })).toBe(1);
    await courses.deleteOne({ _id: stray });
  });

  it('end as one document each after a run stopped between the copy and the delete; the copy, the newer, is kept', async () => {
    const courseKey = courseKeyOf(canvas.emulator.issuer, canvas.clientId, canvas.deploymentId, canvas.emulator.course.contextId);
    const courses = db().collection<{ _id: string | mongoose.Types.ObjectId; title?: string }>('courses');
    const keyed = (await courses.findOne({ _id: courseKey }))!;
    // The earlier version's document, beside the copy a stopped run had already made and a launch had since updated.
    await courses.updateOne({ _id: courseKey }, { $set: { title: 'Renamed since' } });
    await courses.insertOne({ ...keyed, _id: new mongoose.Types.ObjectId(), title: 'As it was', __v: 0 } as never);
    expect(await moveUnkeyedRecords()).toEqual([{ collection: 'courses', moved: 1 }]);
    expect(await courses.find({}).toArray()).toEqual([expect.objectContaining({ _id: courseKey, title: 'Renamed since' })]);
  });
});
