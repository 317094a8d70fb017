// Assets: full-text search with facets (resource type, account, region, tag keys and values),
// sorting and cursor paging; each result opens the asset.

import { api } from '../api.js';
import { add, count, h, replace, when } from '../dom.js';
import { empty, errorBox, field, input, loading, pageHead, pager, section, select, table, totalLine } from '../ui.js';

const SORTS = [['', 'Relevance'], ['name', 'Name'], ['resource_type', 'Resource type'], ['account_id', 'Account'], ['region', 'Region'], ['updated_at', 'Last change']];
const PARAMS = ['q', 'resource_type', 'account_id', 'region', 'tag', 'tag_key', 'sort', 'order'];
const FACETS = [
  ['resource_type', 'Resource type', 'resource_type'],
  ['account_id', 'Account', 'account_id'],
  ['region', 'Region', 'region'],
  ['tag_keys', 'Tag keys', 'tag_key'],
];

// The page's own query: {name: [values]} of the search parameters in the URL.
function wanted(query) {
  const out = {};
  for (const name of PARAMS) {
    const values = query.getAll(name).filter(Boolean);
    if (values.length) out[name] = values;
  }
  return out;
}

function toggled(current, param, value) {
  const next = { ...current };
  const values = next[param] || [];
  next[param] = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  return next;
}

function facetGroup(title, counts, param, current, view, valueOf = (v) => v) {
  const entries = Object.entries(counts || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!entries.length) return null;
  return h('div', { class: 'facet' },
    h('h3', {}, title),
    h('ul', {}, entries.slice(0, 12).map(([value, n]) => {
      const filterValue = valueOf(value);
      const pressed = (current[param] || []).includes(filterValue);
      return h('li', {}, h('button', {
        type: 'button', class: 'facet-value', aria: { pressed: String(pressed) },
        dataset: { facet: param, value: filterValue },
        on: { click: () => view.go('/assets', toggled(current, param, filterValue)) },
      }, h('span', {}, value), h('span', { class: 'facet-count' }, count(n))));
    })));
}

function facets(answer, current, view) {
  const groups = FACETS.map(([key, title, param]) => facetGroup(title, answer.facets?.[key], param, current, view));
  for (const [key, counts] of Object.entries(answer.facets || {})) {
    if (!key.startsWith('tags.')) continue;
    const tagKey = key.slice(5);
    groups.push(facetGroup(`Tag ${tagKey}`, counts, 'tag', current, view, (v) => `${tagKey}=${v}`));
  }
  const shown = groups.filter(Boolean);
  return shown.length ? h('div', { class: 'facets' }, shown) : empty('No facet to narrow by.');
}

function chips(current, view) {
  const active = [];
  for (const [param, values] of Object.entries(current)) {
    if (['q', 'sort', 'order'].includes(param)) continue;
    for (const value of values) active.push([param, value]);
  }
  if (!active.length) return null;
  return h('div', { class: 'action-bar chips' }, h('span', { class: 'muted' }, 'Filters:'), active.map(([param, value]) => h('button', {
    type: 'button', class: 'button secondary chip', aria: { label: `Remove filter ${param} ${value}` },
    on: { click: () => view.go('/assets', toggled(current, param, value)) },
  }, `${param.replace('_', ' ')}: ${value} ×`)));
}

function results(items, view) {
  return table({
    caption: 'Assets',
    captionHidden: true,
    columns: [
      { label: 'Name', cell: (a) => [h('a', { href: view.link('/assets', {}, a.asset_id) }, a.name || a.asset_id), h('span', { class: 'cell-sub' }, a.asset_id)] },
      { label: 'Type', cell: (a) => a.resource_type },
      { label: 'Account', cell: (a) => a.account_id },
      { label: 'Region', cell: (a) => h('span', { class: 'nowrap' }, a.region) },
      { label: 'Tags', cell: (a) => h('span', { class: 'tags' }, Object.entries(a.tags || {}).slice(0, 4).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`))) },
      { label: 'Last change', cell: (a) => when(a.updated_at) },
    ],
    rows: items,
    rowProps: (a) => ({ dataset: { assetId: a.asset_id } }),
  });
}

export async function render(view) {
  const { root, query, signal, group } = view;
  const current = wanted(query);
  const cursor = query.get('cursor');
  const text = input('q', query.get('q') || '', { type: 'search', placeholder: 'name, id or tag' });
  const sort = select('sort', SORTS, query.get('sort') || '');
  const order = select('order', [['asc', 'Ascending'], ['desc', 'Descending']], query.get('order') || 'asc');
  const form = h('form', { class: 'filters', role: 'search', aria: { label: 'Asset search' } },
    field('Search assets', text),
    field('Sort by', sort),
    field('Order', order),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Search')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { ...current, q: text.value.trim() || undefined, sort: sort.value || undefined, order: sort.value ? order.value : undefined };
    view.go('/assets', next);
  });
  const side = h('div', { class: 'slot' }, loading());
  const list = h('div', { class: 'slot' }, loading());
  add(root, 
    pageHead('Assets', { subtitle: 'Everything PacBot discovered, as it is now' }),
    section('Search', { id: 'search', note: group ? 'Search covers every asset you may see; asset groups do not narrow it.' : null }, form, chips(current, view)),
    h('div', { class: 'grid sidebar-layout' },
      section('Narrow by', { id: 'facets' }, side),
      section('Results', { id: 'results-section' }, list)),
  );
  try {
    const answer = await api('/assets/search', { query: { ...current, limit: 50, cursor }, signal });
    replace(side, facets(answer, current, view));
    replace(list,
      totalLine(answer.total, 'asset', answer.items.length),
      answer.items.length ? results(answer.items, view) : empty('No asset matches this search.'),
      pager({
        isFirst: !cursor,
        nextCursor: answer.next_cursor,
        onNext: () => view.go('/assets', { ...current, cursor: answer.next_cursor }),
        onFirst: () => view.go('/assets', current),
      }));
  } catch (error) {
    if (error.name === 'AbortError') return;
    replace(side, empty('No facets.'));
    replace(list, errorBox(error, { route: '/assets/search' }));
  }
}
