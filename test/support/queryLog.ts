/**
 * The database commands Laurel sends while it answers each HTTP request, from the MongoDB
 * driver's command monitoring (the connection needs `monitorCommands=true` in its URI). Each
 * command is tied to the request whose handling sent it (AsyncLocalStorage entered when the
 * request arrives), so the background work (scheduler, sweeper, the platform origins' reload)
 * does not mix in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import mongoose from 'mongoose';

export interface SentCommand {
  /** "GET /course": the request that sent it. */
  request: string;
  command: string;
  collection: string;
  /** Each filter the command selects documents with (one per statement of an update or delete). */
  filters: Record<string, unknown>[];
}

/** Commands that select documents, and where their filters are. */
const FILTERS: Record<string, (c: Record<string, unknown>) => unknown[]> = {
  find: (c) => [c.filter ?? {}],
  findAndModify: (c) => [c.query ?? {}],
  count: (c) => [c.query ?? {}],
  distinct: (c) => [c.query ?? {}],
  update: (c) => (c.updates as { q: unknown }[]).map((u) => u.q),
  delete: (c) => (c.deletes as { q: unknown }[]).map((d) => d.q),
  aggregate: (c) => [((c.pipeline as Record<string, unknown>[])[0]?.$match) ?? {}],
  insert: () => [],
};

export interface QueryLog {
  sent: SentCommand[];
  /** Commands nobody's request sent (background work), by name and collection. */
  background: string[];
  clear(): void;
  stop(): void;
}

export function recordQueries(server: Server): QueryLog {
  const requests = new AsyncLocalStorage<string>();
  const log: QueryLog = { sent: [], background: [], clear: () => { log.sent.length = 0; log.background.length = 0; }, stop: () => {} };
  const onRequest = (req: { method?: string; url?: string }) => requests.enterWith(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
  server.prependListener('request', onRequest);
  const client = mongoose.connection.getClient();
  const onCommand = (e: { commandName: string; command: Record<string, unknown> }) => {
    const filters = FILTERS[e.commandName];
    if (!filters) return; // hello, ping, createIndexes, endSessions…
    const collection = String(e.command[e.commandName]);
    const request = requests.getStore();
    if (!request) return void log.background.push(`${e.commandName} ${collection}`);
    log.sent.push({ request, command: e.commandName, collection, filters: filters(e.command) as Record<string, unknown>[] });
  };
  client.on('commandStarted', onCommand);
  log.stop = () => { server.off('request', onRequest); client.off('commandStarted', onCommand); };
  return log;
}

/** A filter that names one document by its `_id` and nothing else (FerretDB finds only these without reading the collection). */
export function findsById(filter: Record<string, unknown>): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const id = filter._id;
  return typeof id === 'string' || id instanceof mongoose.mongo.ObjectId;
}

/** One line per command, as a reader of a failed test wants it. */
export const describeCommand = (c: SentCommand) => `${c.request}: ${c.command} ${c.collection} ${JSON.stringify(c.filters)}`;
