// The one way the UI talks to the civgrid server.
//
// The session lives in the HttpOnly cookie civgrid_session, which the browser
// sends by itself (credentials: 'same-origin'). Unsafe requests also carry the
// CSRF token from the login or /me answer; it is kept in this module's memory
// only, never in localStorage, so a reload fetches it again through /me.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let onUnauthenticated = null;

/** An error answer of the API: code is the stable `error` string of the body. */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || (status ? 'http_error' : 'network_error');
    this.field = (body && body.field) || null;
    this.body = body || null; // what else the answer says (a 409's existing resident)
    const ra = retryAfter == null ? NaN : Number(retryAfter);
    this.retryAfter = Number.isFinite(ra) && ra >= 0 ? ra : null;
  }
}

/** Called whenever the server says the session is gone (401 outside login). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  // A Blob (a photo, a file) goes as its bytes; anything else as JSON.
  const raw = typeof Blob !== 'undefined' && body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = raw ? (body.type || 'application/octet-stream') : 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined || raw ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { error: 'network_error', message: e.message });
  }

  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (_) {
      data = null; // Not JSON: a proxy's or a static server's error page.
    }
  }
  if (!res.ok) {
    const errBody = data && typeof data.error === 'string'
      ? data
      : { error: 'http_error', message: `HTTP ${res.status} ${res.statusText}`.trim() };
    const err = new ApiError(res.status, errBody, res.headers.get('Retry-After'));
    if (res.status === 401 && path !== '/api/v1/session' && onUnauthenticated) {
      csrfToken = null;
      onUnauthenticated(err);
    }
    throw err;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

/** Builds a query string, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// --- session ---------------------------------------------------------------

/** The signed-in user, or null when there is no session. */
export async function fetchMe() {
  try {
    const me = await request('GET', '/api/v1/me');
    csrfToken = me.csrf_token || csrfToken;
    return me.user;
  } catch (e) {
    // No session, or no API at all (a static preview server): show the login.
    if (e.status === 401 || e.status === 404 || e.status === 501) return null;
    throw e;
  }
}

export async function login(username, password) {
  const res = await request('POST', '/api/v1/session', { username, password });
  csrfToken = res.csrf_token || null;
  // /me is the one canonical shape of the user (with the scope's name).
  try {
    return (await fetchMe()) || res.user;
  } catch (_) {
    return res.user;
  }
}

export async function logout() {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    csrfToken = null;
  }
}
