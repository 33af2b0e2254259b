/** Small HTML pages the emulator serves: auto-submitting forms, error and info pages. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:0}main{padding:1rem 2rem}.error{color:#b00020}</style>${head}</head>
<body>${body}</body></html>`;
}

/** A form that posts itself on load, as LMSs do for login initiation and for the id_token. */
export function autoSubmitForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
  return page('Redirecting…', `<form id="auto" method="post" action="${escapeHtml(action)}" enctype="application/x-www-form-urlencoded">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById('auto').submit();</script>`);
}

export function errorPage(title: string, message: string): string {
  return page(title, `<main><h1>${escapeHtml(title)}</h1><p class="error">${escapeHtml(message)}</p></main>`);
}
