/**
 * `npm run secrets -- reseal`: the last step of changing LAUREL_SECRET. With the new secret in
 * LAUREL_SECRET and the old one in LAUREL_SECRET_PREVIOUS, moves every secret at rest under the
 * new one (see store/reseal.ts); once it reports nothing left, LAUREL_SECRET_PREVIOUS can go.
 */
import { ConfigError, loadConfig } from '../../config/index.js';
import { createLogger } from '../log.js';
import { DatabaseUnavailable, openDatabase } from '../store/database.js';
import { configureSealing, currentKeyId, keyIdOf } from '../secrets/sealed.js';
import { resealAll } from '../store/reseal.js';

const USAGE = `Usage: npm run secrets -- <command>

  reseal    Re-encrypt every secret at rest (issuer signing keys, ltijs's LTI tool keys and
            service tokens, the LMS API connections' secrets and instructors' Canvas tokens) under
            LAUREL_SECRET, reading old ones with LAUREL_SECRET_PREVIOUS.
            Safe to run again, or after an interruption; run it until it reports nothing left.
`;

function fail(message: string): never {
  console.error(`secrets: ${message}`);
  process.exit(2);
}

async function run(argv: string[]): Promise<void> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') { console.log(USAGE); return; }
  if (command !== 'reseal') fail(`unknown command "${command}"\n\n${USAGE}`);
  let config;
  try { config = loadConfig(); } catch (err) { if (err instanceof ConfigError) fail(`configuration error: ${err.message}`); throw err; }
  configureSealing(config.secret, config.previousSecrets);
  const database = await openDatabase(config.mongodbUri, config.dataDir, createLogger('warn')).catch((err) => {
    if (err instanceof DatabaseUnavailable) fail(err.message);
    throw err;
  });
  try {
    console.log(`re-sealing under LAUREL_SECRET (key id ${currentKeyId()}), reading with LAUREL_SECRET_PREVIOUS (key ids ${config.previousSecrets.map(keyIdOf).join(', ') || 'none'})`);
    const report = await resealAll(config.secret, config.previousSecrets);
    for (const c of report.counts) console.log(`${c.collection}: ${c.resealed} re-sealed, ${c.alreadyCurrent} already under LAUREL_SECRET`);
    for (const u of report.unreadable) console.error(`cannot read ${u.collection} ${u.id}: ${u.reason}`);
    if (report.unreadable.length > 0) {
      console.error(`secrets: ${report.unreadable.length} document(s) left as they were; keep LAUREL_SECRET_PREVIOUS, add the missing secret to it and run reseal again`);
      process.exitCode = 1;
      return;
    }
    // A pass that finds nothing left proves it: where conditional updates are not atomic
    // (FerretDB), a Laurel writing meanwhile may have put back a value read before the re-seal.
    const check = await resealAll(config.secret, config.previousSecrets);
    const again = check.counts.reduce((n, c) => n + c.resealed, 0) + check.unreadable.length;
    if (again > 0) {
      console.error(`secrets: ${again} document(s) changed while they were re-sealed; run reseal again until it reports nothing left`);
      process.exitCode = 1;
      return;
    }
    console.log('done: every secret at rest is under LAUREL_SECRET; LAUREL_SECRET_PREVIOUS is no longer needed');
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(() => process.exit(), (err) => { console.error(err); process.exit(1); });
