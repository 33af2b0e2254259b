/**
 * The shape of a query: which collection, which operation, which fields its filter tests and
 * how (equality, a range, $in…), and its sort, never the values. Two queries with one shape use
 * the same index or scan alike, so a shape is what the index check (served.ts) judges. Read from
 * the arguments mongoose hands the driver (see recorder.ts), after mongoose has cast them.
 */

/** One way through a filter: field → its tests, e.g. `{ courseKey: '=', at: '$gte,$lt' }`. */
export type Branch = Record<string, string>;

export interface QueryShape {
  /** The collection's name in the database (`awards`, ltijs's `platforms`). */
  collection: string;
  /** The driver method (`find`, `findOneAndUpdate`, `bulkWrite.updateOne`, `aggregate`). */
  operation: string;
  /** The filter's branches: one, or one per `$or` alternative; `[{}]` is no filter at all. */
  filter: Branch[];
  /** Sort keys in order, `field:1` or `field:-1`. */
  sort: string[];
  /** A limit (findOne, a find with limit): an index in sort order then reads only a few documents. */
  limit: boolean;
}

const EQUALITY = '=';
/** Branches beyond this many (nested $or of $or) are not expanded further. */
const MAX_BRANCHES = 64;

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false; // ObjectId, Date, Buffer: a value
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

/** How one field is tested: `=` for a value (an embedded document or array included), else its operators (`$in`, `$lt`…). */
function testsOf(value: unknown): string {
  if (value instanceof RegExp) return '$regex';
  if (!isOperatorObject(value)) return EQUALITY;
  return Object.entries(value).filter(([op]) => op !== '$options')
    // `$exists: false` is an operator of its own: an index finds the documents without the field (as null).
    .map(([op, arg]) => (op === '$eq' ? EQUALITY : op === '$exists' && !arg ? '$exists:false' : op)).sort().join(',');
}

function merge(a: Branch, b: Branch): Branch {
  const out: Branch = { ...a };
  for (const [field, tests] of Object.entries(b)) {
    out[field] = out[field] ? [...new Set([...out[field]!.split(','), ...tests.split(',')])].sort().join(',') : tests;
  }
  return out;
}

/** Every branch of `a` with every branch of `b` (both must hold). */
function both(a: Branch[], b: Branch[]): Branch[] {
  const out = a.flatMap((x) => b.map((y) => merge(x, y)));
  return out.length > MAX_BRANCHES ? out.slice(0, MAX_BRANCHES) : out;
}

function sorted(branch: Branch): Branch {
  return Object.fromEntries(Object.entries(branch).sort(([x], [y]) => x.localeCompare(y)));
}

/** A filter's branches: `$and` merges, `$or` splits, `$nor` and `$expr` are tests no index bounds. */
export function branchesOf(filter: unknown): Branch[] {
  if (filter === null || filter === undefined || typeof filter !== 'object') return [{}];
  let branches: Branch[] = [{}];
  const plain: Branch = {};
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    if (key === '$comment') continue;
    if (key === '$and' && Array.isArray(value)) {
      for (const part of value) branches = both(branches, branchesOf(part));
    } else if (key === '$or' && Array.isArray(value)) {
      branches = both(branches, value.flatMap((part) => branchesOf(part)));
    } else if (key.startsWith('$')) {
      plain[key] = key; // $nor, $expr, $where, $text
    } else {
      plain[key] = plain[key] ? merge({ [key]: plain[key]! }, { [key]: testsOf(value) })[key]! : testsOf(value);
    }
  }
  return both(branches, [plain]).map(sorted);
}

function sortOf(sort: unknown): string[] {
  if (!sort || typeof sort !== 'object') return typeof sort === 'string' ? sort.split(/\s+/).filter(Boolean).map((k) => (k.startsWith('-') ? `${k.slice(1)}:-1` : `${k}:1`)) : [];
  const entries = sort instanceof Map ? [...sort.entries()] : Array.isArray(sort) ? (sort as [string, unknown][]) : Object.entries(sort);
  return entries.map(([field, dir]) => `${field}:${dir === -1 || dir === 'desc' || dir === 'descending' ? -1 : 1}`);
}

type Options = { sort?: unknown; limit?: number } | undefined;

function shape(collection: string, operation: string, filter: unknown, options: Options, one: boolean): QueryShape {
  return { collection, operation, filter: branchesOf(filter), sort: sortOf(options?.sort), limit: one || (options?.limit ?? 0) > 0 };
}

/** An aggregation's leading $match (and the $sort after it): what decides whether it starts from an index. */
function aggregateShape(collection: string, pipeline: unknown): QueryShape {
  const stages = Array.isArray(pipeline) ? (pipeline as Record<string, unknown>[]) : [];
  let i = 0;
  const matches: unknown[] = [];
  while (stages[i] && '$match' in stages[i]!) matches.push(stages[i++]!.$match);
  const sort = stages[i] && '$sort' in stages[i]! ? stages[i++]!.$sort : undefined;
  const limit = !!stages[i] && '$limit' in stages[i]!;
  return { collection, operation: 'aggregate', filter: branchesOf(matches.length ? { $and: matches } : {}), sort: sortOf(sort), limit };
}

const ONE = new Set(['findOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'updateOne', 'replaceOne', 'deleteOne']);
const FILTER_FIRST = new Set([...ONE, 'find', 'updateMany', 'deleteMany', 'countDocuments', 'count']);
/** Methods called (filter, update, options); the others (filter, options). */
const WITH_UPDATE = new Set(['findOneAndUpdate', 'findOneAndReplace', 'updateOne', 'updateMany', 'replaceOne']);

/**
 * The shapes of one driver call as mongoose logs it (`collection.method(...args)`): none for an
 * insert or an index build, which find nothing; one per write of a bulkWrite.
 */
export function shapesOfCall(collection: string, method: string, args: unknown[]): QueryShape[] {
  if (FILTER_FIRST.has(method)) {
    const options = (WITH_UPDATE.has(method) ? args[2] : args[1]) as Options;
    return [shape(collection, method, args[0], options, ONE.has(method))];
  }
  if (method === 'distinct') return [shape(collection, method, args[1], args[2] as Options, false)];
  if (method === 'aggregate') return [aggregateShape(collection, args[0])];
  if (method === 'bulkWrite' && Array.isArray(args[0])) {
    return (args[0] as Record<string, { filter?: unknown }>[]).flatMap((op) => {
      const [kind, body] = Object.entries(op)[0] ?? [];
      if (!kind || !body || kind === 'insertOne') return [];
      return [shape(collection, `bulkWrite.${kind}`, body.filter, undefined, kind.endsWith('One'))];
    });
  }
  return [];
}

/** One line for a person: `awards.find { courseKey =, status = } sort at:-1 limit` (the limit said only beside a sort). */
export function describeShape(s: Pick<QueryShape, 'collection' | 'operation' | 'sort' | 'limit'>, branch: Branch): string {
  const tests = Object.entries(branch).map(([f, t]) => (t === EQUALITY ? `${f} =` : f.startsWith('$') ? f : `${f} ${t}`));
  return `${s.collection}.${s.operation} { ${tests.join(', ')}${tests.length ? ' ' : ''}}${s.sort.length ? ` sort ${s.sort.join(' ')}${s.limit ? ' limit' : ''}` : ''}`;
}
