/** Says when the agent's view is not live; grants stay shown and keep counting down. */
import { useSession } from '../store-context.tsx';

/** The offline / reconnecting banner. */
export function ConnectionBanner() {
  const connection = useSession((s) => s.snapshot?.connection);
  if (!connection || connection.state === 'online' || connection.state === 'signed_out')
    return null;
  const text =
    connection.state === 'offline'
      ? 'Offline: showing what this device holds; grants still end on time.'
      : 'Connecting to the broker…';
  return (
    <p
      className="banner"
      role="status"
      data-testid="connection-banner"
      data-state={connection.state}
    >
      {text}
      {connection.message ? ` ${connection.message}` : ''}
    </p>
  );
}
