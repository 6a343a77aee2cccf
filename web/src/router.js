// Hash routing (#/login, #/users, ...): the server serves one index.html and
// needs no fallback for deep links.
import { useEffect, useState } from 'preact/hooks';

/** The path part of the hash: "#/users?q=x" gives "/users". */
export function currentPath() {
  const h = window.location.hash.replace(/^#/, '');
  const path = h.split('?')[0];
  return path.startsWith('/') ? path : '/';
}

export function navigate(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (window.location.hash === target) return;
  if (replace) {
    window.history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = target;
  }
}

export function useHashPath() {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

/**
 * Matches "/cases/:id" against "/cases/42": returns {id: "42"}, or null.
 * Parameters are decoded; there are no wildcards.
 */
export function matchPath(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch (_) {
        return null;
      }
    } else if (p[i] !== s[i]) {
      return null;
    }
  }
  return params;
}
