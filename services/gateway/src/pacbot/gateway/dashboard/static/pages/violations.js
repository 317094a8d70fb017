// Violations: filters, sorting by the API, cursor paging; each row opens the violation.

import { all, api, queryString } from '../api.js';
import { add, h, label, replace, when } from '../dom.js';
import { may } from '../state.js';
import { SEVERITIES } from './compliance.js';
import { badge, empty, errorBox, field, input, loading, pageHead, pager, section, select, table, totalLine } from '../ui.js';

export const STATUSES = ['open', 'exempted', 'closed'];
export const CATEGORIES = ['security', 'governance', 'cost', 'tagging', 'operations'];
const FILTERS = ['status', 'severity', 'category', 'policy_id', 'account_id', 'region', 'resource_type', 'owner', 'tag'];
const SIZES = ['25', '50', '100'];

// Policy and resource-type choices for the filters (loaded once per visit).
let choices = null;
async function loadChoices(signal) {
  if (choices) return choices;
  const [policies, types] = await Promise.all([
    all('/policies', { signal, limit: 1000 }).catch(() => []),
    all('/resources', { signal, limit: 1000 }).catch(() => []),
  ]);
  choices = {
    policies: policies.map((p) => [p.id, p.name]).sort((a, b) => a[1].localeCompare(b[1])),
    types: types.map((t) => t.resource_type).sort(),
  };
  return choices;
}

function filterForm(view, picked) {
  const { query } = view;
  const one = (name) => query.get(name) || '';
  const anyOf = (values, text = label) => [['', 'Any'], ...values.map((v) => [v, text(v)])];
  const form = h('form', { class: 'filters', role: 'search', aria: { label: 'Violation filters' } },
    field('Status', select('status', anyOf(STATUSES), one('status'))),
    field('Severity', select('severity', anyOf(SEVERITIES), one('severity'))),
    field('Category', select('category', anyOf(CATEGORIES), one('category'))),
    field('Policy', select('policy_id', [['', 'Any'], ...withCurrent(picked.policies, one('policy_id'))], one('policy_id'))),
    field('Resource type', select('resource_type', [['', 'Any'], ...withCurrent(picked.types.map((t) => [t, t]), one('resource_type'))], one('resource_type'))),
    field('Account', input('account_id', one('account_id'), { inputMode: 'numeric', placeholder: '123456789012' })),
    field('Region', input('region', one('region'), { placeholder: 'us-east-1' })),
    field('Owner', input('owner', one('owner'), { placeholder: 'team@example.com' })),
    field('Tag', input('tag', one('tag'), { placeholder: 'Environment=prod', title: 'KEY=VALUE' })),
    field('Rows per page', select('limit', SIZES.map((s) => [s, s]), query.get('limit') || '50')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button primary' }, 'Apply filters'),
      h('button', { type: 'button', class: 'button secondary', on: { click: () => view.go('/violations') } }, 'Clear filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of [...FILTERS, 'limit']) {
      const value = String(data.get(name) || '').trim();
      if (value) next[name] = value;
    }
    if (query.get('sort')) next.sort = query.get('sort');
    if (query.get('order')) next.order = query.get('order');
    view.go('/violations', next);
  });
  return form;
}

function withCurrent(options, current) {
  return current && !options.some(([v]) => v === current) ? [...options, [current, current]] : options;
}

// The API's query for this page: every filter of the URL (repeated ones too), sort and page.
export function apiQuery(query) {
  const q = {};
  for (const name of FILTERS) {
    const values = query.getAll(name).filter(Boolean);
    if (values.length) q[name] = values;
  }
  q.sort = query.get('sort') || 'updated_at';
  q.order = query.get('order') || 'desc';
  return q;
}

// The violations of one asset: what fails, how badly, since when.
export function compactViolationTable(items, view, caption) {
  return table({
    caption,
    captionHidden: true,
    columns: [
      { label: 'Policy', cell: (v) => h('a', { href: view.link('/violations', {}, v.violation_id) }, v.policy_name || v.policy_id) },
      { label: 'Severity', cell: (v) => badge('severity', v.severity) },
      { label: 'Status', cell: (v) => badge('status', v.status) },
      { label: 'Opened', cell: (v) => when(v.opened_at) },
    ],
    rows: items,
    rowProps: (v) => ({ dataset: { violationId: v.violation_id, status: v.status, severity: v.severity, policyId: v.policy_id } }),
  });
}

export function violationTable(items, view, { sort, caption = 'Violations' } = {}) {
  return table({
    caption,
    captionHidden: true,
    sort,
    columns: [
      { label: 'Asset', cell: (v) => h('a', { href: view.link('/violations', {}, v.violation_id) }, v.asset_name || v.asset_id) },
      { label: 'Policy', sort: 'policy_id', cell: (v) => [v.policy_name, h('span', { class: 'cell-sub' }, v.policy_id)] },
      { label: 'Severity', sort: 'severity', cell: (v) => badge('severity', v.severity) },
      { label: 'Status', cell: (v) => badge('status', v.status) },
      { label: 'Type', sort: 'resource_type', cell: (v) => v.resource_type },
      { label: 'Account', cell: (v) => [v.account_id, h('span', { class: 'cell-sub nowrap' }, v.region)] },
      { label: 'Opened', sort: 'opened_at', cell: (v) => when(v.opened_at) },
      { label: 'Updated', sort: 'updated_at', cell: (v) => when(v.updated_at) },
    ],
    rows: items,
    rowProps: (v) => ({ dataset: { violationId: v.violation_id, status: v.status, severity: v.severity, policyId: v.policy_id } }),
  });
}

export async function render(view) {
  const { root, query, signal, group } = view;
  const q = { ...apiQuery(query), group: group || undefined };
  const limit = SIZES.includes(query.get('limit')) ? query.get('limit') : '50';
  const cursor = query.get('cursor');
  const exportLink = may('GET', '/violations/export.csv')
    ? h('a', { class: 'button secondary', href: `/api/v1/violations/export.csv${queryString(q)}`, download: 'violations.csv' }, 'Export CSV')
    : null;
  add(root, pageHead('Violations', { subtitle: 'Failed policy checks, by asset', actions: exportLink }));
  const filters = h('div', { class: 'slot' }, loading('Loading filters…'));
  const results = h('div', { class: 'slot' }, loading());
  add(root, 
    section('Filters', { id: 'filters' }, filters),
    section('Results', {
      id: 'results-section',
      note: group ? `Violations of asset group ${group}'s assets.` : null,
    }, results),
  );
  loadChoices(signal).then((picked) => replace(filters, filterForm(view, picked))).catch(() => replace(filters, filterForm(view, { policies: [], types: [] })));

  const sort = {
    field: q.sort,
    order: q.order,
    onSort: (fieldName) => {
      const order = fieldName === q.sort && q.order === 'desc' ? 'asc' : 'desc';
      view.go('/violations', { ...multi(query), sort: fieldName, order, cursor: undefined });
    },
  };
  try {
    const page = await api('/violations', { query: { ...q, limit, cursor }, signal });
    const body = page.items.length ? violationTable(page.items, view, { sort }) : empty('No violation matches these filters.');
    replace(results,
      totalLine(page.total, 'violation', page.items.length),
      body,
      pager({
        isFirst: !cursor,
        nextCursor: page.next_cursor,
        onNext: () => view.go('/violations', { ...multi(query), cursor: page.next_cursor }),
        onFirst: () => view.go('/violations', { ...multi(query), cursor: undefined }),
      }));
  } catch (error) {
    if (error.name === 'AbortError') return;
    replace(results, errorBox(error, { route: '/violations' }));
  }
}

// The URL's query as {name: [values]} without the group (the view adds it back).
function multi(query) {
  const out = {};
  for (const key of new Set(query.keys())) if (key !== 'group') out[key] = query.getAll(key);
  return out;
}
