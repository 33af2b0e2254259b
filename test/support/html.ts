/** Reading the auto-submitting forms that LTI passes between browser, LMS and tool. */
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? m;
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

function attr(tag: string, name: string): string | undefined {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i'));
  return m ? decodeEntities(m[2] ?? m[3] ?? '') : undefined;
}

export interface ParsedForm { action: string; method: string; fields: Record<string, string> }

/** The first form in the page (or the one with this id) and its named inputs. */
export function parseForm(html: string, id?: string): ParsedForm {
  const forms = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)];
  const form = id ? forms.find((f) => attr(f[0].slice(0, f[0].indexOf('>') + 1), 'id') === id) : forms[0];
  if (!form) throw new Error(`no form${id ? ` #${id}` : ''} in page:\n${html.slice(0, 500)}`);
  const open = form[0].slice(0, form[0].indexOf('>') + 1);
  const fields: Record<string, string> = {};
  for (const input of form[1].matchAll(/<(input|textarea)\b[^>]*>/gi)) {
    const name = attr(input[0], 'name');
    if (name) fields[name] = attr(input[0], 'value') ?? '';
  }
  return { action: attr(open, 'action') ?? '', method: (attr(open, 'method') ?? 'get').toLowerCase(), fields };
}

/** data-* attributes of the element with this id. */
export function dataAttributes(html: string, id: string): Record<string, string> {
  const tag = html.match(new RegExp(`<[a-z]+\\b[^>]*\\bid="${id}"[^>]*>`, 'i'));
  if (!tag) throw new Error(`no #${id} in page`);
  const out: Record<string, string> = {};
  for (const m of tag[0].matchAll(/\sdata-([\w-]+)="([^"]*)"/g)) out[m[1]] = decodeEntities(m[2]);
  return out;
}

/** What a person reads: tags dropped, entities decoded, white space collapsed. */
export function htmlText(html: string): string {
  return decodeEntities(html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}
