/**
 * The size up to which the embedded FerretDB is measured to keep every cost flat (bench/
 * institution.ts: 500 courses, 150,000 credentials), and the warning at start when the data has
 * grown past it. Counted with `$collStats` (its row count): FerretDB answers `count`, and so
 * estimatedDocumentCount, by reading every document, 37 s at start at the measured size, where
 * `$collStats` reads the table's rows without decoding them (20 times faster, measured). It runs
 * after Laurel serves (boot.ts): a warning need not hold up the start.
 */
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { CourseModel } from './course.js';
import { IssuedCredentialModel } from './issuedCredential.js';

export const EMBEDDED_MEASURED = { courses: 500, credentials: 150_000 } as const;

export interface DataSize { courses: number; credentials: number }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function documentsIn(model: Model<any>): Promise<number> {
  const [stats] = await model.collection.aggregate<{ count?: number }>([{ $collStats: { count: {} } }]).toArray();
  return stats?.count ?? 0;
}

export async function dataSize(): Promise<DataSize> {
  const [courses, credentials] = await Promise.all([documentsIn(CourseModel), documentsIn(IssuedCredentialModel)]);
  return { courses, credentials };
}

/** What outgrew the measured size, in words; empty when nothing did. */
export function outgrown(size: DataSize, measured: DataSize = EMBEDDED_MEASURED): string[] {
  return (Object.keys(measured) as (keyof DataSize)[])
    .filter((k) => size[k] > measured[k])
    .map((k) => `${size[k].toLocaleString('en')} ${k} (measured up to ${measured[k].toLocaleString('en')})`);
}

/** Warns once at start when Laurel runs on FerretDB with more data than it was measured with. */
export async function warnIfOutgrown(logger: Logger, measured: DataSize = EMBEDDED_MEASURED): Promise<string[]> {
  const over = outgrown(await dataSize(), measured);
  if (over.length) {
    logger.warn({ over }, `the database has grown past what FerretDB was measured to serve with flat costs: ${over.join(', ')}. `
      + 'Move to MongoDB (a replica set) and set MONGODB_URI: see the README, "When to move to MongoDB".');
  }
  return over;
}
