/** How far a page is wider than its screen, and what sticks out (elements whose right edge passes it, not inside a scrolling region), to say what to fix. */
import type { Page } from 'playwright-core';

export function overflowAt(page: Page): Promise<{ overflow: number; widest: string[] }> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1 && !el.closest('.table-wrap'))
      .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { overflow: Math.max(0, doc.scrollWidth - doc.clientWidth), widest: out };
  });
}
