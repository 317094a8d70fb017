// The one way the dashboard talks to PacBot: the public /api/v1 with the browser session.
// The session cookie is HttpOnly; mutating calls echo the readable CSRF cookie in X-CSRF-Token.

const BASE = '/api/v1';
const CSRF_COOKIE = 'pacbot_csrf';
const SAFE = new Set(['GET', 'HEAD']);
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    const detail = problem?.detail || problem?.title || `the gateway answered ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }

  get field() { return this.problem.field || null; }
}

// Called with the error whenever a call answers 401 (the session ended or never began).
export function onUnauthorized(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return sessionStorage.getItem(CSRF_COOKIE) || '';
}

export function rememberCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_COOKIE, token);
  else sessionStorage.removeItem(CSRF_COOKIE);
}

// {a: 1, b: [x, y], c: null} -> "a=1&b=x&b=y" (empty values are left out)
export function queryString(query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null || v === '') continue;
      params.append(key, String(v));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function segment(value) {
  return encodeURIComponent(value);
}

export async function api(path, { method = 'GET', query, body, signal, raw = false, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', signal, cache: 'no-store' };
  if (!SAFE.has(method)) headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) {
    if (typeof body === 'string') {
      headers['Content-Type'] = raw || 'text/plain';
      init.body = body;
    } else {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let response;
  try {
    response = await fetch(`${BASE}${path}${queryString(query)}`, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'Unreachable', detail: 'The gateway did not answer; check that PacBot is running.' });
  }
  if (response.status === 204) return null;
  const type = response.headers.get('content-type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (response.ok) return data;
  const problem = data && typeof data === 'object' ? data : { detail: typeof data === 'string' && data ? data.slice(0, 300) : undefined };
  const error = new ApiError(response.status, problem, response.headers.get('retry-after'));
  if (response.status === 401 && !quiet401) for (const listener of listeners) listener(error);
  throw error;
}

// Every item of a list, following next_cursor (for short lists such as groups or policies).
export async function all(path, { query = {}, signal, limit = 500, max = 5000 } = {}) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { query: { ...query, limit, cursor }, signal });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
