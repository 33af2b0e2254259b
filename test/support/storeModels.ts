/**
 * Every mongoose model Laurel declares, Laurel's and ltijs's: what the documentation checks
 * (the README's collections table, docs/privacy.md) read their schemas from.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import mongoose, { type Model } from 'mongoose';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function declaredModels(root: string): Promise<Model<any>[]> {
  for (const file of readdirSync(join(root, 'src/store')).filter((f) => f.endsWith('.ts'))) await import(join(root, 'src/store', file));
  // ltijs declares its models when its Database is made (it connects only in setup()).
  const Database = createRequire(join(root, 'package.json'))('ltijs/dist/Utils/Database.js') as new (o: { url: string }) => unknown;
  new Database({ url: 'mongodb://127.0.0.1:1/unused' });
  return mongoose.modelNames().map((name) => mongoose.model(name));
}
