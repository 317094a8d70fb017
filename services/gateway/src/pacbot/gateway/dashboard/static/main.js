// The dashboard's shell: signs in, keeps the header, navigation and asset-group selector, and
// renders the page the URL names into <main>.

import { api, onUnauthorized, rememberCsrf } from './api.js';
import { add, h, replace } from './dom.js';
import { go, link, match, parse, rewrite } from './router.js';
import { currentGroup, loadAccess, loadGroups, loadMe, may, needs, rememberGroup, signedOut, staff, state } from './state.js';
import { announce, errorBox, pageHead } from './ui.js';
import * as login from './pages/login.js';
import * as compliance from './pages/compliance.js';
import * as violations from './pages/violations.js';
import * as violation from './pages/violation.js';
import * as assets from './pages/assets.js';
import * as asset from './pages/asset.js';
import * as policies from './pages/policies.js';
import * as policy from './pages/policy.js';
import * as whatif from './pages/whatif.js';
import * as exceptions from './pages/exceptions.js';
import * as exception from './pages/exception.js';
import * as autofix from './pages/autofix.js';
import * as plan from './pages/plan.js';
import * as frameworks from './pages/frameworks.js';
import * as notFound from './pages/notfound.js';

// The pages, and the navigation: a route with `menu` is listed when the caller may read what it
// `reads` (the gateway's route x role table); `nav` marks its entry current.
const ROUTES = [
  { path: '/login', page: login, public: true },
  { path: '/', page: compliance, nav: '/', menu: 'Compliance', reads: '/compliance/summary' },
  { path: '/violations', page: violations, nav: '/violations', menu: 'Violations', menuQuery: { status: 'open' }, reads: '/violations' },
  { path: '/violations/:id', page: violation, nav: '/violations', reads: '/violations/{violation_id}' },
  { path: '/assets', page: assets, nav: '/assets', menu: 'Assets', reads: '/assets/search' },
  { path: '/assets/:id', page: asset, nav: '/assets', reads: '/assets/{asset_id}' },
  { path: '/policies', page: policies, nav: '/policies', menu: 'Policies', reads: '/policies' },
  { path: '/policies/whatif', page: whatif, nav: '/policies', reads: '/policies' },
  { path: '/policies/:id', page: policy, nav: '/policies', reads: '/policies/{policy_id}' },
  { path: '/exceptions', page: exceptions, nav: '/exceptions', menu: 'Exceptions', reads: '/exceptions' },
  { path: '/exceptions/:id', page: exception, nav: '/exceptions', reads: '/exceptions/{exception_id}' },
  { path: '/autofix', page: autofix, nav: '/autofix', menu: 'AutoFix', reads: '/fixes' },
  { path: '/autofix/:id', page: plan, nav: '/autofix', reads: '/fixes/{plan_id}' },
  { path: '/frameworks', page: frameworks, nav: '/frameworks', menu: 'Frameworks', reads: '/frameworks' },
  { path: '/frameworks/:id', page: frameworks, nav: '/frameworks', reads: '/compliance/frameworks/{framework_id}' },
];

const main = document.getElementById('main');
let controller = null;
let lastPath = null;

// The home page of the signed-in caller: owners without a staff role start at their violations.
export function home() {
  return staff() ? '#/' : '#/violations?status=open';
}

function showShell(signedIn) {
  document.getElementById('app').classList.toggle('signed-out', !signedIn);
  document.getElementById('topbar-controls').hidden = !signedIn;
  document.getElementById('sidebar').hidden = !signedIn;
  if (!signedIn) return;
  const me = state.me;
  replace(document.getElementById('whoami'),
    h('span', { class: 'who', dataset: { subject: me.subject } }, me.subject),
    h('span', { class: 'roles' }, me.roles.map((r) => h('span', { class: 'role', dataset: { role: r } }, r))));
}

function drawGroups(group) {
  const select = document.getElementById('group-select');
  const options = [];
  if (!state.me.asset_groups) options.push(h('option', { value: '' }, 'All assets'));
  for (const name of state.groups) options.push(h('option', { value: name }, name));
  if (group && !state.groups.includes(group)) options.push(h('option', { value: group }, `${group} (unknown)`));
  replace(select, options);
  select.value = group;
  select.title = state.groupsNote || '';
}

function markNav(nav) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// Links of the navigation keep the chosen group.
function navLinks(group) {
  const list = document.getElementById('nav-list');
  replace(list, ROUTES.filter((r) => r.menu && may('GET', r.reads)).map((r) => {
    const base = r.menuQuery || {};
    return h('li', {}, h('a', { href: link(r.path, group ? { ...base, group } : base), dataset: { nav: r.path } }, r.menu));
  }));
}

// A page the caller's roles cannot read: said once, without calling the API for nothing.
function refused(root, route) {
  const title = route.menu || 'Not allowed';
  add(root, 
    pageHead(title),
    h('div', { class: 'state error', role: 'alert', dataset: { status: '403' } },
      `This page needs the ${needs('GET', route.reads)} role (you hold ${state.me.roles.join(', ')}). `,
      h('a', { href: home() }, 'Go to your start page')));
}

async function render() {
  const { path, query } = parse();
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  const found = match(ROUTES, path);
  const route = found?.route;
  if (!state.me && !route?.public) {
    const next = location.hash && location.hash !== '#/login' ? location.hash.slice(1) : '';
    go(link('/login', { next }), { replace: true });
    return;
  }
  const samePage = lastPath === path;
  lastPath = path;
  showShell(Boolean(state.me) && !route?.public);
  const group = state.me ? currentGroup(query) : '';
  if (state.me && !route?.public) {
    if (group !== (query.get('group') || '') && group) {
      query.set('group', group);
      rewrite(`#${path}?${query.toString()}`);
    }
    drawGroups(group);
    navLinks(group);
    markNav(route?.nav);
  }
  const page = route ? route.page : notFound;
  const root = h('div', { class: 'page', dataset: { page: route ? route.path : 'not-found' } });
  replace(main, root);
  const view = {
    root, query, group, signal, params: found?.params || {},
    // a link to another page that keeps the group
    link: (to, q = {}, ...ids) => link(to, group ? { ...q, group } : q, ...ids),
    go: (to, q = {}, ...ids) => go(link(to, group ? { ...q, group } : q, ...ids)),
    home,
  };
  try {
    if (route?.reads && !may('GET', route.reads)) refused(root, route);
    else await page.render(view);
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, errorBox(error));
  }
  if (signal.aborted) return;
  const title = root.querySelector('h1')?.textContent || 'PacBot';
  document.title = `${title} · PacBot`;
  const results = samePage ? root.querySelector('#results') : null;
  (results || root.querySelector('[data-autofocus]') || root.querySelector('h1') || main).focus({ preventScroll: samePage });
  if (!samePage) announce(`${title} page`);
}

// Sign in with a key (the login form, or a "#/login?key=" link the demo prints).
export async function signIn(key) {
  const answer = await api('/session', { method: 'POST', body: { api_key: key }, quiet401: true });
  rememberCsrf(answer.csrf_token);
  await loadMe();
  await loadGroups();
  return answer;
}

export async function signOut() {
  try {
    await api('/session', { method: 'DELETE', quiet401: true });
  } catch {
    // the session may have ended already; signing out locally is what matters
  }
  rememberCsrf(null);
  signedOut();
  lastPath = null;
  go(link('/login', { signed_out: '1' }));
}

async function boot() {
  await loadAccess();
  const { path, query } = parse();
  const key = path === '/login' ? query.get('key') : null;
  if (key) {
    // Never leave a key in the address bar or the history.
    query.delete('key');
    rewrite(`#/login${query.toString() ? `?${query}` : ''}`);
    login.pendingKey(key);
  } else {
    try {
      await loadMe();
      await loadGroups();
    } catch {
      signedOut();
    }
  }
  onUnauthorized(() => {
    if (parse().path === '/login') return;
    signedOut();
    lastPath = null;
    const next = location.hash.slice(1);
    go(link('/login', { next, expired: '1' }), { replace: true });
  });
  document.getElementById('sign-out').addEventListener('click', signOut);
  document.getElementById('group-select').addEventListener('change', (event) => {
    const group = event.target.value;
    rememberGroup(group);
    const { path: here, query: q } = parse();
    q.delete('cursor');
    if (group) q.set('group', group); else q.delete('group');
    announce(group ? `Scoped to asset group ${group}` : 'Showing all assets');
    go(`#${here}${q.toString() ? `?${q}` : ''}`);
  });
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', render);
  await render();
}

boot().catch((error) => {
  replace(main, errorBox(error));
});
