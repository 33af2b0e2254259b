/**
 * What a new Moodle administrator must know to install Laurel, and found out the hard way in a
 * real Moodle 4.5 (issue 13), is in the README's "Install in Moodle" section: Laurel is an
 * activity (no course-navigation placement), the tool setting that offers it and Moodle's Update
 * resetting that setting, and what suspended learners' vanishing from the roster means.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const start = readme.indexOf('## Install in Moodle');
const moodle = readme.slice(start, readme.indexOf('\n## ', start + 1)).replace(/\s+/g, ' ');

describe('the README\'s Moodle installation', () => {
  it('says Laurel is added as an activity, Moodle having no course-navigation placement', () => {
    expect(start).toBeGreaterThan(0);
    expect(moodle).toMatch(/no course-navigation placement/);
    expect(moodle).toMatch(/Add an activity or resource › Laurel/);
  });

  it('names the Tool configuration usage to choose, and says Moodle\'s Update resets it', () => {
    expect(moodle).toMatch(/\*Tool configuration usage\*: \*\*"Show in activity chooser and as a preconfigured tool"\*\*/);
    expect(moodle).toMatch(/Moodle's "Update"\*\* of the tool .* sets \*Tool configuration usage\* back/);
  });

  it('says suspended learners vanish from the roster, and what that means for their awards', () => {
    expect(moodle).toMatch(/Suspended learners vanish/);
    expect(moodle).toMatch(/badges they already hold stay theirs and stay valid/);
  });
});
