// Small hooks shared by the registry pages.
import { useEffect, useRef, useState } from 'preact/hooks';

/** The value once it has stopped changing for `ms`. */
export function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** The query part of the hash: "#/residents?q=x" gives {q: "x"}. */
export function hashQuery() {
  const h = window.location.hash;
  const i = h.indexOf('?');
  const out = {};
  if (i < 0) return out;
  for (const [k, v] of new URLSearchParams(h.slice(i + 1))) out[k] = v;
  return out;
}

/** hashQuery(), kept current across hash changes (back, forward, links). */
export function useHashQuery() {
  const [q, setQ] = useState(hashQuery);
  useEffect(() => {
    const on = () => setQ(hashQuery());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return q;
}

/** "/residents" and {q: "x", area: ""} give "/residents?q=x" (empty values left out). */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Runs an async loader whenever `deps` change and keeps its state:
 * { data, error, loading, ready, reload }. An answer to an older call is
 * dropped, so a slow request never overwrites a newer one. `ready` is true
 * once the answer for the current deps has arrived (a test or a spinner can
 * rely on it: `loading` is still false in the render where deps change).
 */
export function useLoad(loader, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true, key: null });
  const seq = useRef(0);
  const key = JSON.stringify(deps);
  const run = () => {
    const mine = ++seq.current;
    const k = key;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(loader)
      .then((data) => {
        if (mine === seq.current) setState({ data, error: null, loading: false, key: k });
      })
      .catch((error) => {
        if (mine === seq.current) setState({ data: null, error, loading: false, key: k });
      });
  };
  useEffect(run, deps);
  const { data, error, loading } = state;
  return { data, error, loading, ready: !loading && state.key === key, reload: run };
}
