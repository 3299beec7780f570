/** Whether the live stream is connected. */
import type { Link } from '../lib/hooks.ts';

export function LinkState({ link }: { link: Link | 'ended' }) {
  return (
    <span className={`link-state link-${link}`} role="status" aria-live="polite">
      {link === 'live' ? 'live' : link === 'ended' ? 'ended' : link === 'connecting' ? 'connecting…' : 'reconnecting…'}
    </span>
  );
}
