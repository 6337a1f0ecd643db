/** What a tray menu item or notification action asks main to do. Pure data. */
import type { RequestPrefill } from './deep-link.ts';

/** One action; main maps each kind to code in `app-actions.ts`. */
export type TrayAction =
  | { type: 'open' }
  | { type: 'open-grant'; grantId: string }
  | { type: 'sign-in' }
  | { type: 'sign-out' }
  | { type: 'quit' }
  | { type: 'extend'; grantId: string; seconds: number }
  | { type: 'copy-export'; role: string }
  | { type: 'open-terminal'; role: string }
  | { type: 'done'; grantId: string }
  | { type: 'cancel'; grantId: string }
  | { type: 'request'; prefill: RequestPrefill }
  | { type: 'approve'; grantId: string }
  | { type: 'deny'; grantId: string };

/** One menu row, independent of Electron's MenuItem. */
export type TrayItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; label: string; action: TrayAction }
  | { kind: 'submenu'; label: string; items: TrayItem[] }
  | { kind: 'separator' };
