/** Settings: warning marks, default shell, launch at login, wipe on lock (desktop app only). */
import { createContext, useContext, useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { SettingsStoreApi } from '../settings-store.ts';
import {
  formatWarnMarks,
  parseWarnMarks,
  terminalShellSchema,
  type AppSettings,
} from '../settings.logic.ts';

/** Context carrying the Settings store. */
export const SettingsContext = createContext<SettingsStoreApi | null>(null);

function useSettings(): SettingsStoreApi {
  const api = useContext(SettingsContext);
  if (!api) throw new Error('SettingsPanel needs a SettingsContext provider');
  return api;
}

function SettingsForm({ settings, api }: { settings: AppSettings; api: SettingsStoreApi }) {
  const state = useStore(api.store);
  const [marks, setMarks] = useState(formatWarnMarks(settings.warnBeforeSeconds ?? [600, 120]));
  const [marksError, setMarksError] = useState<string | null>(null);
  const saveMarks = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseWarnMarks(marks);
    if (parsed.status === 'error') return setMarksError(parsed.message);
    setMarksError(null);
    void api.save({ warnBeforeSeconds: parsed.seconds });
  };
  const busy = state.phase === 'ready' && state.saving;
  return (
    <>
      <form className="settings-marks" noValidate onSubmit={saveMarks}>
        <label htmlFor="settings-marks">Warning marks before a grant ends</label>
        <input
          id="settings-marks"
          value={marks}
          aria-describedby="settings-marks-help settings-marks-error"
          aria-invalid={marksError !== null}
          onChange={(e) => setMarks(e.target.value)}
        />
        <span className="muted" id="settings-marks-help">
          e.g. 10m, 2m — the tray turns to “expiring” inside the smallest; notifications use them
          from the next start.
        </span>
        {marksError ? (
          <span className="field-error" id="settings-marks-error" role="alert">
            {marksError}
          </span>
        ) : null}
        <button type="submit" className="secondary" disabled={busy}>
          Save marks
        </button>
      </form>
      <label htmlFor="settings-shell">Default shell for export commands</label>
      <select
        id="settings-shell"
        value={settings.defaultShell}
        disabled={busy}
        onChange={(e) => {
          const shell = terminalShellSchema.safeParse(e.target.value);
          if (shell.success) void api.save({ defaultShell: shell.data });
        }}
      >
        {terminalShellSchema.options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.launchAtLogin}
          disabled={busy}
          onChange={(e) => void api.save({ launchAtLogin: e.target.checked })}
        />
        Launch Hourglass at login
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.wipeOnLock}
          disabled={busy}
          onChange={(e) => void api.save({ wipeOnLock: e.target.checked })}
        />
        Sign out and wipe every credential when the screen locks
      </label>
      {state.phase === 'ready' && state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.phase === 'ready' && state.saved ? <p role="status">Saved.</p> : null}
    </>
  );
}

/** The Settings view. */
export function SettingsPanel() {
  const api = useSettings();
  const state = useStore(api.store);
  useEffect(() => {
    void api.load();
  }, [api]);
  return (
    <section className="panel" aria-labelledby="settings-title" data-testid="settings">
      <h2 id="settings-title">Settings</h2>
      {state.phase === 'unavailable' ? (
        <p className="muted">
          These settings belong to the desktop app. The console uses the agent’s configuration
          (warning marks from <code>HOURGLASS_WARN_BEFORE</code> or its config file).
        </p>
      ) : null}
      {state.phase === 'loading' ? <p className="muted">Loading settings…</p> : null}
      {state.phase === 'ready' ? <SettingsForm settings={state.settings} api={api} /> : null}
    </section>
  );
}
