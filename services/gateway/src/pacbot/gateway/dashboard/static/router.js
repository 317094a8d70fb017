// Hash routing: "#/violations?severity=critical&status=open" -> a page and its filters, so a
// page's state lives in its URL and the back button works. Path segments are URI-encoded
// (asset ids are ARNs with "/" and ":").

export function parse(hash = location.hash) {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const [rawPath, rawQuery = ''] = text.split('?', 2);
  const raw = (rawPath || '/').split('/').filter(Boolean);
  return { path: `/${raw.join('/')}`, query: new URLSearchParams(rawQuery) };
}

// "#/assets/arn%3Aaws..." for ('/assets', [id]) plus a query (arrays repeat the key).
export function link(path, query = {}, ...ids) {
  const tail = ids.map((id) => `/${encodeURIComponent(id)}`).join('');
  const params = new URLSearchParams();
  const entries = query instanceof URLSearchParams ? [...query.entries()].map(([k, v]) => [k, [v]]) : Object.entries(query);
  for (const [key, value] of entries) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') params.append(key, String(v));
    }
  }
  const text = params.toString();
  return `#${path}${tail}${text ? `?${text}` : ''}`;
}

function decoded(text) {
  try { return decodeURIComponent(text); } catch { return text; }
}

// Match "/violations/v-1" against patterns such as "/violations/:id".
export function match(routes, path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    let ok = true;
    pattern.forEach((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = decoded(parts[i]);
      else if (p !== parts[i]) ok = false;
    });
    if (ok) return { route, params };
  }
  return null;
}

export function go(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

// Replace the address without rendering again (e.g. to drop a key or add the group).
export function rewrite(hash) {
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
}
