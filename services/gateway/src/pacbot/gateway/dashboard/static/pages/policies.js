// Policies: browse the registry by framework, category, severity, resource type and state;
// each row opens the policy (enable, disable and set parameters there, with the admin role).

import { all, api } from '../api.js';
import { add, h, label, replace } from '../dom.js';
import { may } from '../state.js';
import { SEVERITIES } from './compliance.js';
import { CATEGORIES } from './violations.js';
import { badge, empty, errorBox, field, input, loading, pageHead, pager, section, select, table, totalLine } from '../ui.js';

const PARAMS = ['framework', 'category', 'severity', 'resource', 'enabled', 'q'];
const RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));
const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  severity: (a, b) => (RANK[a.severity] ?? 9) - (RANK[b.severity] ?? 9) || a.name.localeCompare(b.name),
  category: (a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name),
  resource: (a, b) => a.resource.localeCompare(b.resource) || a.name.localeCompare(b.name),
};

let choices = null;
async function loadChoices(signal) {
  if (choices) return choices;
  const [frameworks, types] = await Promise.all([
    may('GET', '/frameworks') ? all('/frameworks', { signal, limit: 1000 }).catch(() => []) : [],
    all('/resources', { signal, limit: 1000 }).catch(() => []),
  ]);
  choices = {
    frameworks: frameworks.map((f) => [f.framework_id, `${f.name} ${f.version}`.trim()]),
    types: types.map((t) => t.resource_type).sort(),
  };
  return choices;
}

export function frameworkChips(map) {
  const entries = Object.entries(map || {});
  if (!entries.length) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'tags' }, entries.flatMap(([fw, controls]) => controls.map((c) => h('span', { class: 'tag' }, `${fw} ${c}`))));
}

function filterForm(view, picked) {
  const { query } = view;
  const one = (name) => query.get(name) || '';
  const any = (values) => [['', 'Any'], ...values];
  const framework = one('framework');
  const frameworkOptions = picked.frameworks.some(([id]) => id === framework) || !framework ? picked.frameworks : [...picked.frameworks, [framework, framework]];
  const form = h('form', { class: 'filters', role: 'search', aria: { label: 'Policy filters' } },
    field('Search policies', input('q', one('q'), { type: 'search', placeholder: 'words in id, name or description' })),
    field('Framework', select('framework', any(frameworkOptions), framework)),
    field('Category', select('category', any(CATEGORIES.map((c) => [c, label(c)])), one('category'))),
    field('Severity', select('severity', any(SEVERITIES.map((s) => [s, label(s)])), one('severity'))),
    field('Resource type', select('resource', any(picked.types.map((t) => [t, t])), one('resource'))),
    field('State', select('enabled', [['', 'Any'], ['true', 'Enabled'], ['false', 'Disabled']], one('enabled'))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'button secondary', on: { click: () => view.go('/policies') } }, 'Clear filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) next[k] = String(v).trim();
    if (query.get('sort')) { next.sort = query.get('sort'); next.order = query.get('order'); }
    view.go('/policies', next);
  });
  return form;
}

function current(query) {
  const out = {};
  for (const name of [...PARAMS, 'sort', 'order']) if (query.get(name)) out[name] = query.get(name);
  return out;
}

export async function render(view) {
  const { root, query, signal } = view;
  const whatif = may('POST', '/policies/whatif') ? h('a', { class: 'button secondary', href: view.link('/policies/whatif') }, 'Preview a draft') : null;
  add(root, pageHead('Policies', { subtitle: 'The checks PacBot runs, by framework and category', actions: whatif }));
  const filters = h('div', { class: 'slot' }, loading('Loading filters…'));
  const list = h('div', { class: 'slot' }, loading());
  add(root, section('Filters', { id: 'filters' }, filters), section('Results', { id: 'results-section' }, list));
  loadChoices(signal).then((picked) => replace(filters, filterForm(view, picked)));

  const wanted = {};
  for (const name of PARAMS) if (query.get(name)) wanted[name] = query.get(name);
  const sortField = SORTS[query.get('sort')] ? query.get('sort') : 'name';
  const order = query.get('order') === 'desc' ? 'desc' : 'asc';
  const cursor = query.get('cursor');
  try {
    const page = await api('/policies', { query: { ...wanted, limit: 500, cursor }, signal });
    // Sorting the page the API returned, for display.
    const rows = [...page.items].sort(SORTS[sortField]);
    if (order === 'desc') rows.reverse();
    const sort = {
      field: sortField,
      order,
      onSort: (name) => view.go('/policies', { ...current(query), cursor: undefined, sort: name, order: name === sortField && order === 'asc' ? 'desc' : 'asc' }),
    };
    replace(list,
      totalLine(page.total, 'policy', rows.length, 'policies'),
      rows.length ? table({
        caption: 'Policies',
        captionHidden: true,
        sort,
        columns: [
          { label: 'Policy', sort: 'name', cell: (p) => [h('a', { href: view.link('/policies', {}, p.id) }, p.name), h('span', { class: 'cell-sub' }, p.id)] },
          { label: 'Severity', sort: 'severity', cell: (p) => badge('severity', p.severity) },
          { label: 'Category', sort: 'category', cell: (p) => label(p.category) },
          { label: 'Resource type', sort: 'resource', cell: (p) => p.resource },
          { label: 'Frameworks', cell: (p) => frameworkChips(p.frameworks) },
          { label: 'AutoFix', cell: (p) => (p.autofix ? p.autofix.action : h('span', { class: 'muted' }, '—')) },
          { label: 'State', cell: (p) => h('span', { class: ['badge', `enabled-${p.enabled}`] }, p.enabled ? 'Enabled' : 'Disabled') },
        ],
        rows,
        rowProps: (p) => ({ dataset: { policyId: p.id, enabled: p.enabled } }),
      }) : empty('No policy matches these filters.'),
      pager({
        isFirst: !cursor,
        nextCursor: page.next_cursor,
        onNext: () => view.go('/policies', { ...current(query), cursor: page.next_cursor }),
        onFirst: () => view.go('/policies', current(query)),
      }));
  } catch (error) {
    if (error.name === 'AbortError') return;
    replace(list, errorBox(error, { route: '/policies' }));
  }
}
