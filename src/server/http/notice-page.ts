/**
 * A refusal the browser shows as a whole page (a wrong address, a missing sign-in): a small
 * styled HTML page for a browser's navigation (`Accept: text/html`), the same sentences as
 * plain text for anything else (curl, a health check). Inline styles only: the CSP allows
 * them, and the app's own stylesheet has a hashed name this answer cannot know.
 */
export function noticeResponse(
  request: Request,
  status: number,
  title: string,
  paragraphs: readonly string[],
): Response {
  const wantsPage = (request.headers.get('accept') ?? '').includes('text/html');
  if (!wantsPage) {
    return new Response(`${paragraphs.join('\n')}\n`, {
      status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const body = paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('');
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)} · Keysmith</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>\n`,
    { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}

/** The app's colours (styles.css), light and dark. */
const STYLE = [
  'body{margin:0;font-family:system-ui,sans-serif;line-height:1.5;background:#f4f6f8;color:#1b1f24}',
  'main{max-width:36rem;margin:4rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #b3261e;border-radius:8px}',
  'h1{font-size:1.3rem;margin:0 0 .75rem}',
  '@media (prefers-color-scheme:dark){body{background:#111418;color:#e6e9ed}main{background:#1b2026;border-color:#ff8f86}}',
].join('');

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
