// One asset: what it is, its configuration, its violations, and its change history as a diff.

import { api, segment } from '../api.js';
import { add, h, label, when } from '../dom.js';
import { may, needs } from '../state.js';
import { dl, empty, errorBox, fill, json, pageHead, section } from '../ui.js';
import { compactViolationTable } from './violations.js';

const MAX_DIFF_LINES = 600;

function lines(value) {
  return value === undefined ? [] : JSON.stringify(value, null, 2).split('\n');
}

// A line diff of two JSON values (longest common subsequence; presentation only).
export function diffLines(before, after) {
  const a = lines(before);
  const b = lines(after);
  if (a.length + b.length > MAX_DIFF_LINES) {
    return [...a.map((t) => ['del', t]), ...b.map((t) => ['add', t])];
  }
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out = [];
  let i = 0; let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { out.push(['same', a[i]]); i += 1; j += 1; }
    else if (table[i + 1][j] >= table[i][j + 1]) { out.push(['del', a[i]]); i += 1; }
    else { out.push(['add', b[j]]); j += 1; }
  }
  while (i < a.length) { out.push(['del', a[i]]); i += 1; }
  while (j < b.length) { out.push(['add', b[j]]); j += 1; }
  return out;
}

const MARK = { del: '- ', add: '+ ', same: '  ' };

function change(c) {
  const before = c.op === 'added' ? undefined : c.old;
  const after = c.op === 'removed' ? undefined : c.new;
  return h('div', { class: 'change', dataset: { path: c.path, op: c.op } },
    h('div', { class: 'change-head' }, h('span', { class: 'change-path mono' }, c.path), h('span', { class: 'muted' }, label(c.op))),
    h('pre', { class: 'diff-lines', aria: { label: `Change of ${c.path}` } },
      diffLines(before, after).map(([kind, text]) => h('span', { class: kind }, MARK[kind] + text))));
}

function history(answer) {
  if (!answer.items.length) return empty('No recorded change.');
  return h('div', { class: 'diff' }, answer.items.map((v) => h('article', { class: 'version', dataset: { version: v.version } },
    h('h3', {}, `Version ${v.version} · ${label(v.change_type)} · ${when(v.changed_at)}`),
    v.changes.length ? v.changes.map(change) : h('p', { class: 'muted' }, v.change_type === 'created' ? 'First seen.' : 'No field changed.'))));
}

function facts(a) {
  return dl([
    ['Asset id', h('span', { class: 'mono' }, a.asset_id)],
    ['Resource type', a.resource_type],
    ['Account', a.account_id],
    ['Region', a.region],
    ['Owner', a.owner],
    ['Version', String(a.version)],
    ['First seen', when(a.first_seen)],
    ['Last seen', when(a.last_seen)],
    ['Deleted', a.deleted ? 'yes' : 'no'],
    ['Tags', Object.keys(a.tags || {}).length ? h('span', { class: 'tags' }, Object.entries(a.tags).map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`))) : 'none'],
  ]);
}

export async function render(view) {
  const { root, params, signal } = view;
  const back = h('a', { href: view.link('/assets') }, 'Assets');
  let a;
  try {
    a = await api(`/assets/${segment(params.id)}`, { signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, pageHead('Asset', { kicker: back }), errorBox(error, { route: '/assets/{asset_id}' }));
    return;
  }
  root.dataset.assetId = a.asset_id;
  const violations = h('div', { class: 'slot' });
  const changes = h('div', { class: 'slot' });
  add(root, 
    pageHead(a.name || a.asset_id, { kicker: back, subtitle: `${a.resource_type} · ${a.account_id} ${a.region}` }),
    h('div', { class: 'split' },
      section('Details', { id: 'details' }, facts(a)),
      section('Violations', { id: 'violations' }, violations)),
    section('Configuration', { id: 'configuration' }, json(a.config)),
    section('Change history', { id: 'history' }, changes),
  );
  await Promise.all([
    fill(violations, api('/violations', { query: { asset_id: a.asset_id, limit: 100 }, signal }),
      (page) => (page.items.length ? compactViolationTable(page.items, view, 'Violations of this asset') : empty('This asset has no violation.')),
      { route: '/violations' }),
    may('GET', '/assets/{asset_id}/history')
      ? fill(changes, api(`/assets/${segment(a.asset_id)}/history`, { query: { limit: 50 }, signal }), history, { route: '/assets/{asset_id}/history' })
      : Promise.resolve(add(changes, empty(`Change history needs the ${needs('GET', '/assets/{asset_id}/history')} role.`))),
  ]);
}
