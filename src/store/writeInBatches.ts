/**
 * Writes in batches of 50: FerretDB 1.24 never answers an update command of 100 statements or
 * more (measured: 99 updates by `_id` answer in 50 ms, 100 never), so a course of 100 awards or
 * a platform of 100 credentials or more would hang what writes them in one command. Unordered:
 * each statement of a batch stands alone, and callers write so that a batch cut midway is
 * simply written again.
 */
const BATCH = 50;

export async function writeInBatches<W>(model: { bulkWrite(writes: W[], o: { ordered: false }): Promise<unknown> }, writes: W[]): Promise<void> {
  for (let i = 0; i < writes.length; i += BATCH) await model.bulkWrite(writes.slice(i, i + BATCH), { ordered: false });
}
