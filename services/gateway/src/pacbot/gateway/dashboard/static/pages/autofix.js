// AutoFix: the queue of plans still to act, the history of every plan with filters and paging,
// and the policies whose fixes are paused (resume them with the security role).

import { api } from '../api.js';
import { add, h, label, replace, when } from '../dom.js';
import { may } from '../state.js';
import { act, badge, empty, errorBox, field, fill, input, loading, pageHead, pager, section, select, table } from '../ui.js';
import { QUEUED, STATUSES } from './plan.js';

function planTable(items, view, caption) {
  return table({
    caption,
    captionHidden: true,
    columns: [
      { label: 'Plan', cell: (p) => [h('a', { href: view.link('/autofix', {}, p.plan_id), class: 'nowrap' }, p.plan_id), h('span', { class: 'cell-sub' }, label(p.kind))] },
      { label: 'Status', cell: (p) => [badge('status', p.status), p.dry_run ? h('span', { class: 'cell-sub' }, 'dry run') : null] },
      { label: 'Action', cell: (p) => p.action },
      { label: 'Asset', cell: (p) => [p.asset_name || p.asset_id, h('span', { class: 'cell-sub' }, `${p.account_id} ${p.region}`)] },
      { label: 'Policy', cell: (p) => p.policy_id },
      { label: 'Due', cell: (p) => when(p.due_at) },
      { label: 'Requested by', cell: (p) => p.requested_by || p.trigger },
    ],
    rows: items,
    rowProps: (p) => ({ dataset: { planId: p.plan_id, status: p.status, dryRun: p.dry_run } }),
  });
}

// The queue: every plan still waiting for its notice, its due time, a person, or running.
async function queue(view) {
  const pages = await Promise.all(QUEUED.map((status) => api('/fixes', { query: { status, limit: 200 }, signal: view.signal })));
  const items = pages.flatMap((p) => p.items).sort((a, b) => String(a.due_at).localeCompare(String(b.due_at)));
  if (!items.length) return empty('No plan is waiting: AutoFix has nothing queued.');
  return planTable(items, view, 'Plan queue');
}

function historyFilters(view) {
  const { query } = view;
  const form = h('form', { class: 'filters', role: 'search', aria: { label: 'Plan filters' } },
    field('Status', select('status', [['', 'Any'], ...STATUSES.map((s) => [s, label(s)])], query.get('status') || '')),
    field('Kind', select('kind', [['', 'Any'], ['fix', 'Fix'], ['rollback', 'Rollback']], query.get('kind') || '')),
    field('Policy', input('policy_id', query.get('policy_id') || '')),
    field('Account', input('account_id', query.get('account_id') || '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Apply filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const [k, v] of data.entries()) if (String(v).trim()) next[k] = String(v).trim();
    view.go('/autofix', next);
  });
  return form;
}

function pauses(items, view) {
  if (!items.length) return empty('No policy is paused.');
  return table({
    caption: 'Paused policies',
    captionHidden: true,
    columns: [
      { label: 'Policy', cell: (p) => p.policy_id },
      { label: 'Why', cell: (p) => p.reason },
      { label: 'Paused', cell: (p) => when(p.paused_at) },
      {
        label: 'Action',
        cell: (p) => {
          if (!may('POST', '/fixes/pauses/{policy_id}/resume')) return '—';
          const out = h('span', { aria: { live: 'polite' } });
          const button = h('button', { type: 'button', class: 'button secondary', aria: { label: `Resume ${p.policy_id}` } }, 'Resume');
          button.addEventListener('click', () => act(button, out, () => api(`/fixes/pauses/${encodeURIComponent(p.policy_id)}/resume`, { method: 'POST' }), {
            success: () => `Fixes of ${p.policy_id} resumed.`,
            where: { method: 'POST', route: '/fixes/pauses/{policy_id}/resume' },
          }));
          return [button, out];
        },
      },
    ],
    rows: items,
  });
}

export async function render(view) {
  const { root, query, signal } = view;
  add(root, pageHead('AutoFix', { subtitle: 'Plans to fix violations: notified, waited out, guarded, applied or rolled back' }));
  const queued = h('div', { class: 'slot' });
  const history = h('div', { class: 'slot' }, loading());
  const paused = h('div', { class: 'slot' });
  add(root, 
    section('Plan queue', { id: 'queue', note: 'Plans still to act, soonest first.' }, queued),
    section('History', { id: 'history' }, historyFilters(view), history),
    section('Paused policies', { id: 'pauses', note: 'A policy pauses when its fixes trip the blast-radius cap.' }, paused),
  );
  const filters = {};
  for (const name of ['status', 'kind', 'policy_id', 'account_id']) if (query.get(name)) filters[name] = query.get(name);
  const cursor = query.get('cursor');
  const listing = api('/fixes', { query: { ...filters, limit: 50, cursor }, signal }).then((page) => {
    replace(history,
      page.items.length ? planTable(page.items, view, 'Plan history') : empty('No plan matches these filters.'),
      pager({
        isFirst: !cursor,
        nextCursor: page.next_cursor,
        onNext: () => view.go('/autofix', { ...filters, cursor: page.next_cursor }),
        onFirst: () => view.go('/autofix', filters),
      }));
  }).catch((error) => { if (error.name !== 'AbortError') replace(history, errorBox(error, { route: '/fixes' })); });
  await Promise.all([
    fill(queued, queue(view), (node) => node, { route: '/fixes' }),
    listing,
    fill(paused, api('/fixes/pauses', { query: { active: true, limit: 100 }, signal }), (page) => pauses(page.items, view), { route: '/fixes/pauses' }),
  ]);
}
