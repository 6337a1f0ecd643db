/** HTML for the demo IdP's login and consent pages. Pure: values in, escaped HTML out, no script. */

/** Escapes text for use in HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><h1>Hourglass DEMO identity provider</h1><h2>${escapeHtml(title)}</h2>`,
    body,
    '</body></html>',
  ].join('\n');
}

/** The sign-in form. `error` is shown above the form; `login` refills the user field. */
export function renderLoginPage(opts: { uid: string; login?: string; error?: string }): string {
  const action = `/interaction/${encodeURIComponent(opts.uid)}/login`;
  const error = opts.error ? `<p role="alert"><strong>${escapeHtml(opts.error)}</strong></p>` : '';
  return page(
    'Sign in',
    `${error}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
  <label>Username <input name="login" value="${escapeHtml(opts.login ?? '')}" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>
<p>Demo users: alice, bob, carol. Password: demo.</p>`,
  );
}

/** The consent page: what the client asks for and one button to allow it. */
export function renderConsentPage(opts: {
  uid: string;
  clientId: string;
  login: string;
  scopes: readonly string[];
}): string {
  const action = `/interaction/${encodeURIComponent(opts.uid)}/confirm`;
  const items = opts.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  return page(
    'Allow access',
    `<p>${escapeHtml(opts.clientId)} asks to act as <strong>${escapeHtml(opts.login)}</strong> with:</p>
<ul>${items}</ul>
<form method="post" action="${escapeHtml(action)}">
  <button type="submit" name="decision" value="allow">Allow</button>
</form>`,
  );
}

/** A plain error page for interaction failures (expired or unknown interaction). */
export function renderErrorPage(message: string): string {
  return page('Something went wrong', `<p>${escapeHtml(message)}</p>`);
}
