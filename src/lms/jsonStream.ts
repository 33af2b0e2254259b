/**
 * A large JSON answer read as it arrives. Moodle answers a course's whole grade report in one
 * body (35 MB for 2,000 learners and 30 items): read whole, its text and its parse held some
 * 200 MB at once. Here the elements of one array member of the top-level object are handed over
 * one at a time, each parsed alone and dropped once read; the rest of the object (Moodle's
 * warnings, or its exception) is kept and answered. Only structure outside strings is scanned,
 * so the cost is one pass over the text.
 */
import { LmsError } from './errors.js';

/**
 * The answer's top-level value, with `member`'s elements handed to `each` in order and the
 * member itself left as an empty array. A top level that is no object is parsed whole.
 */
export async function readJsonEach(res: Response, url: string, member: string, each: (item: unknown) => void): Promise<unknown> {
  const scanner = new MemberScanner(member, each);
  const decoder = new TextDecoder();
  try {
    if (res.body) for await (const bytes of res.body as AsyncIterable<Uint8Array>) scanner.feed(decoder.decode(bytes, { stream: true }));
    scanner.feed(decoder.decode());
    return scanner.end();
  } catch (err) {
    if (err instanceof SyntaxError) throw new LmsError('bad_response', `The LMS answered ${url} with something that is not JSON: ${scanner.start.slice(0, 200)}`, { status: res.status, url });
    throw err;
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const [QUOTE, BACKSLASH, COMMA, COLON, OPEN_OBJECT, CLOSE_OBJECT, OPEN_ARRAY, CLOSE_ARRAY] = ['"', '\\', ',', ':', '{', '}', '[', ']'].map((c) => c.charCodeAt(0));

/**
 * Where the scanner is in the top-level object: before it, at a key (or its end), reading a
 * key, before a colon, before a value, inside a value of another member, before an element of
 * `member`'s array, inside an element, after a value; then done. `whole`: no object, read whole.
 */
type Place = 'start' | 'key' | 'in key' | 'colon' | 'value' | 'in value' | 'element' | 'in element' | 'after value' | 'done' | 'whole';

class MemberScanner {
  /** The first characters, for a message about an answer that is not JSON. */
  start = '';
  private place: Place = 'start';
  /** Containers open; strings and escapes, so that brackets and commas inside strings are text. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** `}` may close the object here: right after `{`, not after a comma. */
  private mayClose = false;
  /** The text captured so far (a key, a value, an element) from earlier chunks. */
  private pieces: string[] = [];
  private key = '';
  private readonly top: Record<string, unknown> = {};

  constructor(private readonly member: string, private readonly each: (item: unknown) => void) {}

  feed(chunk: string): void {
    if (this.start.length < 200) this.start += chunk.slice(0, 200 - this.start.length);
    if (this.place === 'whole') {
      this.pieces.push(chunk);
      return;
    }
    // Where the text being captured began in this chunk: 0 if it began in an earlier one, -1 if none is.
    let from = this.place === 'in key' || this.place === 'in value' || this.place === 'in element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.place === 'in key') {
            this.key = JSON.parse(this.take(chunk, from, i + 1)) as string;
            from = -1;
            this.place = 'colon';
          }
        }
        continue;
      }
      if (WHITESPACE.has(c)) continue;
      switch (this.place) {
        case 'start':
          if (c !== OPEN_OBJECT) {
            // Not an object: read whole, as readJson would.
            this.place = 'whole';
            this.pieces.push(chunk.slice(i));
            return;
          }
          this.depth = 1;
          this.place = 'key';
          this.mayClose = true;
          break;
        case 'key':
          if (c === CLOSE_OBJECT && this.mayClose) { this.place = 'done'; break; }
          if (c !== QUOTE) throw new SyntaxError('a key was expected');
          from = i;
          this.inString = true;
          this.place = 'in key';
          break;
        case 'colon':
          if (c !== COLON) throw new SyntaxError('a colon was expected');
          this.place = 'value';
          break;
        case 'value':
          if (this.key === this.member && c === OPEN_ARRAY) {
            this.top[this.member] = [];
            this.depth = 2;
            this.place = 'element';
            this.mayClose = true;
            break;
          }
          from = i;
          this.place = 'in value';
          this.structure(c);
          break;
        case 'element':
          if (c === CLOSE_ARRAY && this.mayClose) { this.depth = 1; this.place = 'after value'; break; }
          from = i;
          this.place = 'in element';
          this.structure(c);
          break;
        case 'in value':
          if (this.depth === 1 && (c === COMMA || c === CLOSE_OBJECT)) {
            this.top[this.key] = JSON.parse(this.take(chunk, from, i));
            from = -1;
            this.afterValue(c);
          } else this.structure(c);
          break;
        case 'in element':
          if (this.depth === 2 && (c === COMMA || c === CLOSE_ARRAY)) {
            this.each(JSON.parse(this.take(chunk, from, i)));
            from = -1;
            if (c === COMMA) { this.place = 'element'; this.mayClose = false; } else { this.depth = 1; this.place = 'after value'; }
          } else this.structure(c);
          break;
        case 'after value':
          if (c !== COMMA && c !== CLOSE_OBJECT) throw new SyntaxError('a comma or the end of the object was expected');
          this.afterValue(c);
          break;
        case 'done':
          throw new SyntaxError('text after the end');
      }
    }
    if (from >= 0) this.pieces.push(chunk.slice(from));
  }

  end(): unknown {
    if (this.place === 'whole') return JSON.parse(this.pieces.join(''));
    if (this.place !== 'done' || this.inString) throw new SyntaxError('the answer ended before its end');
    return this.top;
  }

  /** Inside a value or an element: strings and nesting. */
  private structure(c: number): void {
    if (c === QUOTE) this.inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth++;
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) this.depth--;
  }

  private afterValue(c: number): void {
    if (c === COMMA) {
      this.place = 'key';
      this.mayClose = false;
    } else {
      this.depth = 0;
      this.place = 'done';
    }
  }

  /** The text captured, from `from` in this chunk (0 when it began in an earlier one) to `to`. */
  private take(chunk: string, from: number, to: number): string {
    const text = this.pieces.length ? this.pieces.join('') + chunk.slice(from, to) : chunk.slice(from, to);
    this.pieces = [];
    return text;
  }
}
