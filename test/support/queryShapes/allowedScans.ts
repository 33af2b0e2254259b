/**
 * Queries that read a whole collection, or look by fields no index declares, on purpose. Each
 * is allowed from one file, with why that is fine there: it runs rarely (an operator's command,
 * a reload once a minute), and its collection holds a document per registration of Laurel in an
 * LMS (a handful per institution), never one per course, learner or award. A hot path (a launch,
 * a public page, a learner's page) never belongs here: give it a key or an index.
 */
import type { AllowedScan } from './served.js';

const ONE_PER_REGISTRATION = 'one document per registration of Laurel in an LMS: a handful, however many courses and learners';

export const allowedScans: readonly AllowedScan[] = [
  // The sites that may show Laurel (web/shared/frameAncestors.ts), reloaded whole.
  {
    collection: 'platformframeorigins', operation: 'find', filter: {}, from: 'src/store/frameOrigins.ts',
    reason: `each instance reloads every platform's frame origins once a minute and after a registration; ${ONE_PER_REGISTRATION}`,
  },
  {
    collection: 'platforms', operation: 'find', filter: {}, from: 'src/lti/platforms.ts',
    reason: `the same reload's platforms, and the operator's platform list (ltijs's getAllPlatforms); ${ONE_PER_REGISTRATION}`,
  },
  // The scheduler asks, each tick, which platforms chose their own interval.
  {
    collection: 'platformsettings', operation: 'find', filter: { syncIntervalMinutes: '$exists' }, from: 'src/store/platformSettings.ts',
    reason: `once a tick of the scheduler (a minute); ${ONE_PER_REGISTRATION}`,
  },
  // ltijs's queries that name no key, through Laurel's Database plugin for ltijs (store/ltijsDatabase.ts).
  {
    collection: 'publickeys', operation: 'find', filter: {}, from: 'src/store/ltijsDatabase.ts',
    reason: `Laurel's JWKS (/lti/keys) is every platform's public key by definition, and LMSs cache it; ${ONE_PER_REGISTRATION}`,
  },
  {
    collection: 'platforms', operation: 'find', filter: {}, from: 'src/store/ltijsDatabase.ts',
    reason: `ltijs's getAllPlatforms (the operator's list, the reload of who may frame Laurel); ${ONE_PER_REGISTRATION}`,
  },
  // At start, the documents an earlier version stored under an ObjectId move under their key (store/rekey.ts).
  ...['accesstokens', 'contexttokens', 'courses', 'deployments', 'idtokens', 'issuerprofiles', 'launchstates', 'lmsconnections', 'nonces',
    'platformframeorigins', 'platforms', 'platformstatuses', 'privatekeys', 'publickeys', 'states', 'usednonces'].map((collection): AllowedScan => ({
    collection, operation: 'find', filter: { _id: '$type' }, from: 'src/store/rekey.ts',
    reason: 'at start until a pass finds nothing to move, the move of documents stored before their collection was keyed; MongoDB bounds it on the _id index by type',
  })),
  // Removing a platform (privacy/removal/): once in a platform's life, by its administrator or the operator, it finds and deletes
  // the platform's documents where no index names the platform; an index each of these collections' writes paid for would cost more.
  ...([
    ['accesstokens', 'deleteMany', { clientId: '=', platformUrl: '=' }], ['idtokens', 'deleteMany', { clientId: '=', iss: '=' }], ['contexttokens', 'find', {}],
    ['badgecopies', 'deleteMany', { courseKey: '$in' }], ['vcapiexchanges', 'find', { courseKey: '$in' }], ['vcapiexchanges', 'deleteMany', { courseKey: '$in' }],
    ['learnercourses', 'find', { clientId: '=', issuer: '=' }],
    ...['launchstates', 'learnercourses', 'messagerecipients', 'publicprofiles', 'taughtcourses'].map((c) => [c, 'deleteMany', { clientId: '=', issuer: '=' }]),
    ...['oid4vcioffers', 'oid4vciaccesstokens', 'oid4vcinonces'].map((c) => [c, 'deleteMany', { issuerKey: '=' }]),
  ] as [string, string, Record<string, string>][]).map(([collection, operation, filter]): AllowedScan => ({
    collection, operation, filter, from: 'src/privacy/removal/removePlatform.ts',
    reason: 'removing a whole platform, once in its life, on its administrator\'s or the operator\'s confirmation: a scan then, rather than an index every write of the collection pays for',
  })),
  {
    collection: 'platformremovals', operation: 'find', filter: {}, from: 'src/store/platformRemoval.ts',
    reason: `the operator's platform list shows every removal; ${ONE_PER_REGISTRATION}`,
  },
  // At start on the embedded FerretDB, how many courses and credentials it holds (store/embeddedLimits.ts).
  ...['courses', 'issuedcredentials'].map((collection): AllowedScan => ({
    collection, operation: 'aggregate', filter: {}, from: 'src/store/embeddedLimits.ts',
    reason: 'once at start, and only on FerretDB: $collStats reads the collection\'s statistics, no document',
  })),
  // A learner's export and erasure (privacy/), an administrator's act a few times a year per learner who asks:
  // their pages of badges, withdrawn ones included (each under a random id; the learner's own document points
  // to the published one only).
  ...['src/privacy/export/exportPerson.ts', 'src/privacy/erasure/erasePerson.ts'].map((from): AllowedScan => ({
    collection: 'publicprofiles', operation: 'find', filter: { clientId: '=', issuer: '=', userId: '=' }, from,
    reason: 'a learner\'s export or erasure, on an administrator\'s confirmation or the learner\'s own download: rare, and off every hot path',
  })),
  // And what holds them for minutes, keyed by a secret Laurel does not keep: an erasure confirmed right after they
  // opened a badge's wallet page or started a login deletes it at once rather than leave it to expire.
  ...['src/privacy/export/exportPerson.ts', 'src/privacy/erasure/erasePerson.ts'].flatMap((from): AllowedScan[] => [
    {
      collection: 'vcapiexchanges', operation: 'find', filter: { courseKey: '$in', userId: '=' }, from,
      reason: 'a learner\'s export or erasure: an exchange is keyed by the SHA-256 of its secret and lasts ten minutes, so the collection holds ten minutes of wallet pages',
    },
    {
      collection: 'launchstates', operation: 'find', filter: { clientId: '=', 'initiation.login_hint': '=', issuer: '=' }, from,
      reason: 'a learner\'s export or erasure: a login in progress is keyed by its OIDC state and lasts ten minutes, so the collection holds ten minutes of logins',
    },
  ]),
  // `npm run secrets -- reseal` after a change of LAUREL_SECRET rewrites every sealed document, so it lists them all.
  ...['issuerkeysets', 'lmsconnections', 'canvasgrants', 'subjectkeys'].map((collection): AllowedScan => ({
    collection, operation: 'find', filter: {}, from: 'src/store/reseal.ts',
    reason: 'an operator\'s command, run once after a change of secret, that reads every sealed document by design',
  })),
];
