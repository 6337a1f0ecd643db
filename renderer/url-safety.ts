/** Which URLs the renderer will open or link to. Pure. */

/** True for an absolute http(s) URL without userinfo: never `javascript:`, `data:` or `file:`. */
export function isSafeAuthorizationUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === ''
  );
}
