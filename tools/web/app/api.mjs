// Talking to coldspot serve: JSON with a time limit, and errors turned into sentences a person can read
// (the server's problem documents carry a `detail`; a dead server or a timeout gets its own words).

const params = new URLSearchParams(location.search);
/// The server: this page's own origin, or ?server=URL for a page served elsewhere.
export const server = (params.get('server') || location.origin).replace(/\/+$/, '');

export class ApiError extends Error {
  constructor(message, status = 0, problem = null) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export const url = (path) => (/^https?:/.test(path) ? path : server + path);

/// fetch + JSON; throws ApiError with a readable message. `timeout` in ms.
export async function getJson(path, { method = 'GET', body, timeout = 15000, headers = {} } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  let r;
  try {
    r = await fetch(url(path), {
      method,
      signal: ctl.signal,
      headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    if (ctl.signal.aborted) throw new ApiError(`The server took longer than ${timeout / 1000} s to answer; try again.`, 0);
    throw new ApiError('The Coldspot server cannot be reached. Check that it is running, then reload the page.', 0);
  } finally {
    clearTimeout(timer);
  }
  const text = await r.text();
  let doc = null;
  try { doc = text ? JSON.parse(text) : null; } catch { doc = null; }
  if (!r.ok) throw new ApiError(explain(r.status, doc), r.status, doc);
  if (doc === null) throw new ApiError(`The server's answer to ${path} was not JSON.`, r.status);
  return doc;
}

function explain(status, doc) {
  const detail = doc && (doc.detail || doc.title);
  if (status === 401 || status === 403) return `Not allowed: ${detail || 'this needs the server\'s write token'}.`;
  if (status === 429) return `The server is busy with other what-if runs (${detail || 'too many at once'}). Wait a moment and try again.`;
  if (status === 503 || status === 504) return `The server gave up: ${detail || 'it took too long'}.`;
  if (status === 404) return detail ? `Not found: ${detail}.` : 'Not found.';
  return detail ? `${detail} (HTTP ${status}).` : `The server answered HTTP ${status}.`;
}

/// The server's API paths (from its OpenAPI document), so the page asks only for what exists and a
/// server without, say, partnerships shows no 404 in the console.
let paths = new Set();
export async function loadCapabilities() {
  try {
    const api = await getJson('/api');
    paths = new Set(Object.keys(api.paths || {}));
  } catch {
    paths = new Set();
  }
  return paths;
}
/// has('/hubs/{id}/targets'): path templates compared with their parameters' names ignored.
export function has(template) {
  const norm = (p) => p.replace(/\{[^}]*\}/g, '{}');
  for (const p of paths) if (norm(p) === norm(template)) return true;
  return false;
}

/// true when the server has this path (HEAD-less probe with GET; 404 -> false, other errors thrown).
export async function optional(path) {
  try {
    return await getJson(path);
  } catch (e) {
    if (e.status === 404 || e.status === 405) return null;
    throw e;
  }
}
