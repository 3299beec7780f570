/** A link that changes the page without reloading it (a real href: middle-click and the keyboard work too). */
import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../lib/router.ts';

export function A({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
