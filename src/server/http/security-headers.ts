/** The headers every answer carries: a strict CSP and the browser's other guards. */

/**
 * Strict CSP: only this origin's own files, no inline script, no framing, no plugins.
 * Inline styles are allowed: Radix Dialog's scroll lock (react-remove-scroll) injects a <style>
 * element whose text depends on the scrollbar width, so no hash can name it. Styles cannot run
 * code; scripts stay 'self' only. `connectSources` adds origins the page may call besides its
 * own (the Seqera Platform API of `--seqera-api`, for the onboarding's "Send to Seqera").
 */
export function contentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The default policy: the page talks to its own origin only. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

export function securityHeaders(connectSources: readonly string[]): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(connectSources),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** Sets `headers` on a response (copying it when its headers are immutable); API answers are never cached. */
export function withHeaders(
  response: Response,
  path: string,
  headers: Readonly<Record<string, string>>,
): Response {
  let target = response;
  try {
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  } catch {
    // Responses made by fetch() have immutable headers: copy once, then set.
    target = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) target.headers.set(name, value);
  }
  if (path === '/api' || path.startsWith('/api/')) target.headers.set('Cache-Control', 'no-store');
  return target;
}
