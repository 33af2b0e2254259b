/**
 * One line item, two hosts: Canvas gives AGS URLs under whichever host the course was opened
 * from (school.instructure.com, or the school's own domain), so a badge defined from one launch
 * names its line items by URLs the next launch's snapshot gives under the other host. The line
 * item's path (/api/lti/courses/:course_id/line_items/:id) is what names it.
 */
import { describe, expect, it } from 'vitest';
import { lineItemKey, sameLineItem } from '../../src/rules/lineItemKey.js';
import { validateBadge } from '../../src/rules/validate.js';
import { criteriaNarrative } from '../../src/rules/criteria.js';
import { pickerChoices, pickerGroups } from '../../src/web/shared/rulePicker.js';
import { translator } from '../../src/i18n/translate.js';
import { all, average, badge, lineItem, member, minPercent, minPoints, result, run, snapshot, verdictOf } from './fixtures.js';

const VENDOR = 'https://school.instructure.com/api/lti/courses/1/line_items/5';
const VANITY = 'https://school.example.edu/api/lti/courses/1/line_items/5';
const QUIZ_NOW = lineItem(VANITY, 'Quiz 5');

describe('a line item given under another host', () => {
  const defined = badge('b', all(minPercent(VENDOR, 80), average(50, { lineItemId: VENDOR })));

  it('is the same line item when a learner is evaluated', () => {
    const v = verdictOf(run([defined], snapshot({ members: [member('ada')], lineItems: [QUIZ_NOW], results: [result(VANITY, 'ada', 9)] })), 'b', 'ada');
    expect(v.earned).toBe(true);
  });

  it('counts a result given under one host for the line item listed under the other', () => {
    const v = verdictOf(run([defined], snapshot({ members: [member('ada')], lineItems: [lineItem(VENDOR, 'Quiz 5')], results: [result(VANITY, 'ada', 9)] })), 'b', 'ada');
    expect(v.earned).toBe(true);
  });

  it('is known when the badge is saved, and its label and maximum are shown in the criteria', () => {
    expect(validateBadge({ ...defined, name: 'Quizzer' }, [], [QUIZ_NOW])).toEqual([]);
    expect(criteriaNarrative(badge('b', minPercent(VENDOR, 80)), [QUIZ_NOW], new Map())).toBe('Earn at least 80 % on Quiz 5.');
    expect(criteriaNarrative(badge('b', minPoints(VENDOR, 8)), [QUIZ_NOW], new Map())).toContain('8 of 10 points on Quiz 5');
  });

  it('is the option already chosen in the rule picker, not an unreadable item', () => {
    const columns = { lineItems: [QUIZ_NOW], activities: [], sources: [], hint: '', ownColumns: [] } as unknown as Parameters<typeof pickerGroups>[0];
    const groups = pickerGroups(columns, [minPercent(VENDOR, 80)], translator('en'));
    expect(groups.flatMap((g) => g.options.map((o) => o.value))).toEqual([VANITY]);
    expect(pickerChoices(groups, [minPercent(VENDOR, 80)])).toEqual([VANITY]);
  });

  it('keys by path and query; ids that are not URLs are their own key', () => {
    expect(lineItemKey(VENDOR)).toBe('/api/lti/courses/1/line_items/5');
    expect(sameLineItem(VENDOR, VANITY)).toBe(true);
    expect(sameLineItem(VENDOR, 'https://school.example.edu/api/lti/courses/1/line_items/6')).toBe(false);
    expect(lineItemKey('https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1')).toBe('/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1');
    expect(lineItemKey('canvas:assignment:5')).toBe('canvas:assignment:5');
  });
});
