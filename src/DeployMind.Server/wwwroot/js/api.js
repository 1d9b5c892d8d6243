// The REST API client. The session lives in the HttpOnly dm_session cookie; state-changing requests carry
// X-CSRF-Token, whose value the server gave at sign-in and also put in the readable dm_csrf cookie.

const BASE = '/api/v1';
const CSRF_KEY = 'deploymind.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
    /** Field-level validation messages: {field: [messages]}. */
    this.errors = problem?.errors ?? {};
  }
}

/** Raised when the session is missing or expired; the router sends the user to /signin. */
export class SignInRequired extends ApiError {}

function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export function csrfToken() {
  return readCookie('dm_csrf') || sessionStorage.getItem(CSRF_KEY) || '';
}

export async function request(method, path, { body, query, signal, headers } = {}) {
  let url = path.startsWith('/') && !path.startsWith(BASE) ? BASE + path : path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) init.headers['X-CSRF-Token'] = token;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check that deploymind serve is running, then retry.' });
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : await response.text().catch(() => null);
  if (response.ok && typeof payload === 'string' && payload.length > 0 && url.startsWith(BASE)) {
    // An API route answered with a page (e.g. a proxy's or the static fallback's HTML): not something to render.
    throw new ApiError(response.status, { title: 'Unexpected response from the server', detail: `${method} ${url} answered ${type || 'without a content type'}, not JSON.` });
  }
  if (!response.ok) {
    const problem = payload && typeof payload === 'object' ? payload : { title: `HTTP ${response.status}`, detail: typeof payload === 'string' ? payload.slice(0, 300) : undefined };
    if (response.status === 401 && !(method === 'POST' && path.endsWith('/session'))) throw new SignInRequired(401, problem);
    if (response.status === 429 && !problem.detail) problem.detail = 'Too many requests; wait a moment and retry.';
    if (response.status === 403 && !problem.detail) problem.detail = 'Your role does not allow this.';
    throw new ApiError(response.status, problem);
  }
  return payload === '' ? null : payload;
}

export const api = {
  get: (path, query, signal) => request('GET', path, { query, signal }),
  post: (path, body) => request('POST', path, { body }),
  del: path => request('DELETE', path),

  async signIn(token) {
    const result = await request('POST', '/session', { body: { token } });
    if (result?.csrfToken) sessionStorage.setItem(CSRF_KEY, result.csrfToken);
    return result;
  },
  session: () => request('GET', '/session'),
  async signOut() {
    try { await request('DELETE', '/session'); } finally { sessionStorage.removeItem(CSRF_KEY); }
  },
};

const ROLE_RANK = { viewer: 1, deployer: 2, admin: 3 };
export const canDeploy = session => (ROLE_RANK[session?.role] ?? 0) >= ROLE_RANK.deployer;
export const isAdmin = session => session?.role === 'admin';
