/** The browser tab that shows the IdP's sign-in page when the console is the browser. */
import { isSafeAuthorizationUrl } from './url-safety.ts';

/** A tab opened during the click, pointed at the IdP once the agent answers. */
export interface SignInTab {
  navigate(url: string): void;
  close(): void;
}

/** Opens a blank tab now (inside the user gesture) and cuts its link back to the console. */
export function openSignInTab(): SignInTab {
  const tab = window.open('about:blank', '_blank');
  // Reverse tabnabbing: the IdP page must not be able to steer the console through window.opener.
  if (tab) tab.opener = null;
  return {
    navigate(url) {
      if (tab && isSafeAuthorizationUrl(url)) tab.location.href = url;
    },
    close() {
      tab?.close();
    },
  };
}
