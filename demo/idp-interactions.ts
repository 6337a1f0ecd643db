/**
 * The demo IdP's own login and consent pages, served through oidc-provider's interaction API.
 * Replaces devInteractions, which accepts any password.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { authenticateDemoUser } from './users.ts';
import { renderConsentPage, renderErrorPage, renderLoginPage } from './idp-pages.ts';

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,100})(?:\/(login|confirm))?$/;
const MAX_FORM_BYTES = 4096;

// Why: the pages carry no script or style; this CSP keeps any injected markup inert and blocks framing
// (clickjacking of the consent button). No form-action: the post-consent redirect leaves this origin.
const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, SECURITY_HEADERS);
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Whether a request path belongs to the interaction pages rather than to oidc-provider. */
export function isInteractionPath(pathname: string): boolean {
  return INTERACTION_PATH.test(pathname);
}

/** Serves GET /interaction/:uid, POST /interaction/:uid/login and POST /interaction/:uid/confirm. */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://idp.invalid').pathname;
  const action = INTERACTION_PATH.exec(pathname)?.[2];
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      renderErrorPage('This sign-in has expired or is unknown. Start again from the app.'),
    );
    return;
  }
  const { uid, prompt, params, session } = details;
  if (req.method === 'GET' && action === undefined) {
    if (prompt.name === 'login') sendHtml(res, 200, renderLoginPage({ uid }));
    else
      sendHtml(
        res,
        200,
        consentPage(uid, String(params.client_id), session?.accountId, prompt.details),
      );
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 405, renderErrorPage('Use the form on the page.'));
    return;
  }
  const form = await readForm(req);
  if (!form) {
    sendHtml(res, 413, renderErrorPage('The form was too large.'));
    return;
  }
  if (action === 'login' && prompt.name === 'login') {
    await submitLogin(provider, req, res, uid, form);
  } else if (action === 'confirm' && prompt.name === 'consent' && session) {
    await submitConsent(provider, req, res, details);
  } else {
    sendHtml(
      res,
      400,
      renderErrorPage('This step does not match the sign-in in progress. Start again.'),
    );
  }
}

function consentPage(
  uid: string,
  clientId: string,
  login: string | undefined,
  details: object,
): string {
  const missing = (details as { missingOIDCScope?: string[] }).missingOIDCScope ?? [];
  return renderConsentPage({ uid, clientId, login: login ?? 'you', scopes: missing });
}

async function submitLogin(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  form: URLSearchParams,
): Promise<void> {
  const login = (form.get('login') ?? '').slice(0, 100);
  const user = authenticateDemoUser(login, form.get('password') ?? '');
  if (!user) {
    // Same message for unknown user and wrong password: no account enumeration.
    sendHtml(res, 401, renderLoginPage({ uid, login, error: 'Wrong username or password.' }));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.login } },
    { mergeWithLastSubmission: false },
  );
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

async function submitConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Details,
): Promise<void> {
  const { params, session, grantId } = details;
  const promptDetails = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
  if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(promptDetails.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const savedGrantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: savedGrantId } },
    { mergeWithLastSubmission: true },
  );
}
