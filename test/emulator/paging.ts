/**
 * Paging of AGS and NRPS lists with `Link` headers (digest §4, §5). Canvas pages by `page` and
 * `per_page` (`limit` sets per_page; default 10) and links current/next/prev/first/last. Moodle
 * pages by `limit` and `from`, returns everything when no limit is given, and links
 * first/prev/canonical/next/last on AGS lists but only `next` on NRPS, which it sends whenever the
 * page is full, even when nothing follows (read in mod/lti/service/memberships).
 */
import type { Request } from 'express';
import type { Platform } from './platform.js';

const CANVAS_DEFAULT_PAGE_SIZE = 10;
const CANVAS_MAX_PAGE_SIZE = 100;

export interface Page<T> { items: T[]; links: { rel: string; url: string }[] }

export function paginate<T>(p: Platform, req: Request, all: T[], o: { moodleNrps?: boolean } = {}): Page<T> {
  const q = req.query as Record<string, string | undefined>;
  const urlWith = (params: Record<string, number>, drop: string[] = []) => {
    const u = new URL(req.originalUrl, p.url);
    for (const k of drop) u.searchParams.delete(k);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
    return u.toString();
  };

  if (p.flavour === 'canvas') {
    // A site's maximum per_page caps what the tool asks for; pageSize plays a site configured smaller.
    const size = Math.min(p.pageSize ?? CANVAS_MAX_PAGE_SIZE, positive(q.limit) ?? positive(q.per_page) ?? p.pageSize ?? CANVAS_DEFAULT_PAGE_SIZE);
    const last = Math.max(1, Math.ceil(all.length / size));
    const current = positive(q.page) ?? 1;
    const at = (page: number) => urlWith({ page, per_page: size }, ['limit']);
    const links = [{ rel: 'current', url: at(current) }];
    if (current < last) links.push({ rel: 'next', url: at(current + 1) });
    if (current > 1) links.push({ rel: 'prev', url: at(current - 1) });
    links.push({ rel: 'first', url: at(1) }, { rel: 'last', url: at(last) });
    return { items: all.slice((current - 1) * size, current * size), links };
  }

  const size = positive(q.limit) ?? p.pageSize;
  if (!size) return { items: all, links: [] };
  const from = positive(q.from) ?? 0;
  const items = all.slice(from, from + size);
  const at = (f: number) => urlWith({ limit: size, from: f });
  if (o.moodleNrps) return { items, links: items.length === size ? [{ rel: 'next', url: at(from + size) }] : [] };
  const links = [{ rel: 'first', url: at(0) }];
  if (from > 0) links.push({ rel: 'prev', url: at(Math.max(0, from - size)) });
  links.push({ rel: 'canonical', url: at(from) });
  if (from + size < all.length) links.push({ rel: 'next', url: at(from + size) });
  links.push({ rel: 'last', url: at(Math.max(0, all.length - size)) });
  return { items, links };
}

export function linkHeader(links: { rel: string; url: string }[]): string {
  return links.map((l) => `<${l.url}>; rel="${l.rel}"`).join(',');
}

function positive(v: string | undefined): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
