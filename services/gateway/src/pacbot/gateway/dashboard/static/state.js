// Who is signed in, what they may do (from the gateway's own route x role table), and which
// asset group scopes the pages.

import { api, all, ApiError } from './api.js';

const GROUP_KEY = 'pacbot.group';
const ROLE_ORDER = ['viewer', 'owner', 'security', 'admin'];

export const state = {
  me: null, // GET /api/v1/me
  access: new Map(), // "METHOD /api/v1/route" -> roles that may call it
  groups: [], // group names the selector offers
  groupsNote: '', // why the selector offers only "All assets", if it does
};

export async function loadAccess() {
  const response = await fetch(new URL('./access.json', import.meta.url), { credentials: 'same-origin' });
  const rows = await response.json();
  state.access = new Map(rows.map((r) => [`${r.method} ${r.route}`, r.roles]));
}

// The roles the table lets call `route` ("/api/v1/..." template), or null if it is unknown.
export function rolesFor(method, route) {
  return state.access.get(`${method} /api/v1${route}`) || null;
}

// May the signed-in caller call this route? (The gateway decides; this only hides buttons.)
export function may(method, route) {
  const roles = rolesFor(method, route);
  if (!state.me || roles === null) return false;
  if (roles.length === 0) return true;
  return state.me.roles.includes('admin') || state.me.roles.some((r) => roles.includes(r));
}

// "security or admin": the roles a route needs, for people.
export function needs(method, route) {
  const roles = rolesFor(method, route) || [];
  const sorted = ROLE_ORDER.filter((r) => roles.includes(r));
  if (sorted.length <= 1) return sorted.join('');
  return `${sorted.slice(0, -1).join(', ')} or ${sorted.at(-1)}`;
}

export async function loadMe() {
  state.me = await api('/me', { quiet401: true });
  return state.me;
}

export function signedOut() {
  state.me = null;
  state.groups = [];
}

// Callers scoped to asset groups choose among theirs; others read GET /groups (when allowed).
export async function loadGroups() {
  state.groups = [];
  state.groupsNote = '';
  const me = state.me;
  if (me.asset_groups) {
    state.groups = [...me.asset_groups];
    return;
  }
  if (!may('GET', '/groups')) {
    state.groupsNote = 'Your roles cannot list asset groups.';
    return;
  }
  try {
    state.groups = (await all('/groups', { query: { counts: false }, limit: 1000 })).map((g) => g.name);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    state.groupsNote = `Asset groups are unavailable: ${error.message}`;
  }
}

// The group of this page: the URL's, else the one remembered; "" means all assets.
export function currentGroup(query) {
  const fromUrl = query.get('group');
  if (fromUrl !== null) return fromUrl;
  const stored = localStorage.getItem(GROUP_KEY) || '';
  if (state.me?.asset_groups) return state.groups.includes(stored) ? stored : state.groups[0] || '';
  return stored && state.groups.includes(stored) ? stored : '';
}

export function rememberGroup(group) {
  if (group) localStorage.setItem(GROUP_KEY, group);
  else localStorage.removeItem(GROUP_KEY);
}

export function staff() {
  return ['viewer', 'security', 'admin'].some((r) => state.me?.roles.includes(r));
}
