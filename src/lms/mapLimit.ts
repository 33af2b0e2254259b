/**
 * `fn` over `items`, at most `limit` at a time, answers in order: quick on a big course without
 * flooding the LMS. Once one fails (or `stop` is aborted) no more are started: the run fails anyway.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>, stop?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed && !stop?.aborted) {
      const i = next++;
      out[i] = await fn(items[i]!).catch((err: unknown) => {
        failed = true;
        throw err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
