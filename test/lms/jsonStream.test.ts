/**
 * A large answer read as it arrives (jsonStream.ts): whatever the chunks the bytes come in (one
 * at a time included, cutting a multi-byte character or an escape in two), the elements handed
 * over and the rest of the object are exactly what JSON.parse makes of the whole; anything that
 * is not JSON is refused as readJson refuses it. Moodle's real answer goes through it over HTTP
 * in moodleWs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readJsonEach } from '../../src/lms/jsonStream.js';
import { LmsError } from '../../src/lms/errors.js';

/** A real Response whose body arrives in chunks of `size` bytes. */
function answer(text: string, size: number): Response {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new Response(new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(at, (at += size)));
    },
  }));
}

async function read(text: string, size: number, member = 'usergrades') {
  const items: unknown[] = [];
  const rest = await readJsonEach(answer(text, size), 'https://moodle.example/webservice/rest/server.php', member, (item) => items.push(item));
  return { items, rest };
}

const tricky = {
  usergrades: [
    { userid: 5, userfullname: 'Zoë "Z" O\'Brien, [TA] {x}', gradeitems: [{ id: 1, itemname: 'Quiz, 1 ]}', graderaw: 6.5, feedback: 'a\\b\n"c"' }, { id: 2, graderaw: null }] },
    { userid: 6, userfullname: '李雷 🎓', gradeitems: [] },
    [1, [2, { three: [] }]],
    'a string, with ] and }',
    42,
    null,
  ],
  warnings: [{ item: 'course', warningcode: 'x', message: 'commas, ] and } in a "warning"' }],
  empty: {},
  nested: { a: [{}, []], b: '' },
};

describe('readJsonEach', () => {
  for (const [name, value] of Object.entries({
    tricky,
    'pretty-printed': JSON.parse(JSON.stringify(tricky)),
    'the member last': { warnings: [], usergrades: [{ userid: 1 }] },
    'an empty member': { usergrades: [], warnings: [] },
    'no such member': { statuses: [{ cmid: 3 }] },
    'a member that is no array': { usergrades: null, warnings: [] },
    "Moodle's exception": { exception: 'moodle_exception', errorcode: 'invalidtoken', message: 'Invalid token - token not found' },
    'an empty object': {},
  })) {
    it(`${name}: the elements and the rest are JSON.parse's, whatever the chunks`, async () => {
      const texts = name === 'pretty-printed' ? [JSON.stringify(value, null, 2)] : [JSON.stringify(value)];
      for (const text of texts) {
        const whole = JSON.parse(text) as Record<string, unknown>;
        const streamed = Array.isArray(whole.usergrades);
        const expected = { items: streamed ? whole.usergrades : [], rest: streamed ? { ...whole, usergrades: [] } : whole };
        for (const size of [1, 2, 3, 7, 64, text.length]) expect(await read(text, size)).toEqual(expected);
      }
    });
  }

  it('a top level that is no object is parsed whole', async () => {
    const list = [{ id: 3, roles: [{ shortname: 'student' }] }, { id: 4 }];
    for (const size of [1, 5, 1000]) expect(await read(JSON.stringify(list), size)).toEqual({ items: [], rest: list });
  });

  it('refuses what is not JSON, cut short or with text after it, as readJson does', async () => {
    for (const text of ['<html>Moodle is down</html>', '{"usergrades":[{"userid":5},{"userid"', '{"usergrades":[1,2]', '{"a":1} x', '{"a" 1}', '{"a":"unterminated']) {
      for (const size of [1, 4, 100]) {
        const err = await read(text, size).catch((e: unknown) => e);
        expect(err, text).toBeInstanceOf(LmsError);
        expect((err as LmsError).kind).toBe('bad_response');
        expect((err as LmsError).message).toContain('is not JSON');
      }
    }
  });
});
