// Exceptions: requests awaiting a decision (Approve / Reject for security), those expiring
// soon, and every request with filters and paging. Owners see their own requests.

import { api, segment } from '../api.js';
import { add, day, h, label, replace } from '../dom.js';
import { may } from '../state.js';
import { act, ask, badge, empty, field, fill, input, loading, pageHead, pager, section, select, table, totalLine } from '../ui.js';

export const STATUSES = ['pending', 'active', 'rejected', 'revoked', 'expired'];
const SOON = [['7', '7 days'], ['14', '14 days'], ['30', '30 days']];

export function scopeOf(x) {
  if (x.kind === 'sticky') {
    const c = x.criteria || {};
    const parts = [];
    if (c.accounts?.length) parts.push(`accounts ${c.accounts.join(', ')}`);
    if (c.regions?.length) parts.push(`regions ${c.regions.join(', ')}`);
    if (c.resource_types?.length) parts.push(`types ${c.resource_types.join(', ')}`);
    for (const [k, v] of Object.entries(c.tags || {})) parts.push(`${k}=${Array.isArray(v) ? v.join('|') : v}`);
    if (c.name_patterns?.length) parts.push(`names ${c.name_patterns.join(', ')}`);
    return `Every asset matching ${parts.join('; ') || 'its criteria'}`;
  }
  return x.asset_ids.join(', ');
}

// The Approve / Reject buttons of a pending request; `done(answer)` is told the outcome.
export function decisionButtons(x, outcome, done) {
  if (x.status !== 'pending') return [];
  const buttons = [];
  if (may('POST', '/exceptions/{exception_id}/approve')) {
    const approve = h('button', { type: 'button', class: 'button good' }, 'Approve');
    approve.addEventListener('click', async () => {
      const answer = await act(approve, outcome, () => api(`/exceptions/${segment(x.exception_id)}/approve`, { method: 'POST', body: {} }), {
        success: (a) => `Exception ${a.exception_id} approved: ${label(a.status).toLowerCase()} until ${day(a.expires_at)}.`,
        where: { method: 'POST', route: '/exceptions/{exception_id}/approve' },
      });
      if (answer) done(answer);
    });
    buttons.push(approve);
  }
  if (may('POST', '/exceptions/{exception_id}/reject')) {
    const reject = h('button', { type: 'button', class: 'button secondary' }, 'Reject');
    reject.addEventListener('click', async () => {
      const reason = await ask({ title: `Reject ${x.exception_id}`, fieldLabel: 'Reason', confirm: 'Confirm rejection', hint: 'The requester is told why' });
      if (reason === null) return;
      const answer = await act(reject, outcome, () => api(`/exceptions/${segment(x.exception_id)}/reject`, { method: 'POST', body: { reason } }), {
        success: (a) => `Exception ${a.exception_id} rejected.`,
        where: { method: 'POST', route: '/exceptions/{exception_id}/reject' },
      });
      if (answer) done(answer);
    });
    buttons.push(reject);
  }
  return buttons;
}

function exceptionTable(items, view, { caption, decide = false } = {}) {
  return table({
    caption,
    captionHidden: true,
    columns: [
      { label: 'Exception', cell: (x) => [h('a', { href: view.link('/exceptions', {}, x.exception_id), class: 'nowrap' }, x.exception_id), h('span', { class: 'cell-sub' }, label(x.kind))] },
      { label: 'Status', cell: (x) => h('span', { class: 'status-cell' }, badge('status', x.status)) },
      { label: 'Assets', cell: (x) => h('span', { class: 'wrap' }, scopeOf(x)) },
      { label: 'Policies', cell: (x) => (x.policy_ids.length ? x.policy_ids.join(', ') : 'every policy') },
      { label: 'Requester', cell: (x) => x.requester },
      { label: 'Expires', cell: (x) => h('span', { class: 'nowrap' }, day(x.expires_at)) },
      { label: 'Reason', cell: (x) => x.reason },
      decide ? {
        label: 'Decision',
        cell: (x) => {
          const outcome = h('div', { class: 'row-outcome', aria: { live: 'polite' } });
          const buttons = decisionButtons(x, outcome, (answer) => {
            const row = outcome.closest('tr');
            row.dataset.status = answer.status;
            replace(row.querySelector('.status-cell'), badge('status', answer.status));
            for (const b of buttons) b.remove();
          });
          return buttons.length ? [h('div', { class: 'action-bar' }, buttons), outcome] : '—';
        },
      } : null,
    ].filter(Boolean),
    rows: items,
    rowProps: (x) => ({ dataset: { exceptionId: x.exception_id, status: x.status } }),
  });
}

function filters(view) {
  const { query } = view;
  const form = h('form', { class: 'filters', role: 'search', aria: { label: 'Exception filters' } },
    field('Status', select('status', [['', 'Any'], ...STATUSES.map((s) => [s, label(s)])], query.get('status') || '')),
    field('Kind', select('kind', [['', 'Any'], ['resource', 'Resource'], ['sticky', 'Sticky']], query.get('kind') || '')),
    field('Policy', input('policy_id', query.get('policy_id') || '')),
    field('Requester', input('requester', query.get('requester') || '')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, 'Apply filters')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) next[k] = String(v).trim();
    if (query.get('soon')) next.soon = query.get('soon');
    view.go('/exceptions', next);
  });
  return form;
}

export async function render(view) {
  const { root, query, signal } = view;
  const soon = SOON.some(([d]) => d === query.get('soon')) ? query.get('soon') : '14';
  const soonSelect = select('soon', SOON, soon);
  soonSelect.addEventListener('change', () => view.go('/exceptions', { ...Object.fromEntries(query.entries()), group: undefined, cursor: undefined, soon: soonSelect.value }));
  add(root, pageHead('Exceptions', { subtitle: 'Requests to exempt assets from policies, their decisions and expiry' }));
  const pending = h('div', { class: 'slot' });
  const expiring = h('div', { class: 'slot' });
  const listing = h('div', { class: 'slot' }, loading());
  add(root, 
    section('Awaiting approval', { id: 'pending' }, pending),
    section('Expiring soon', { id: 'expiring', actions: field('Within', soonSelect) }, expiring),
    section('All requests', { id: 'all' }, filters(view), listing),
  );
  const wanted = {};
  for (const name of ['status', 'kind', 'policy_id', 'requester']) if (query.get(name)) wanted[name] = query.get(name);
  const cursor = query.get('cursor');
  const where = { route: '/exceptions' };
  await Promise.all([
    fill(pending, api('/exceptions', { query: { status: 'pending', limit: 100 }, signal }),
      (page) => (page.items.length ? exceptionTable(page.items, view, { caption: 'Awaiting approval', decide: true }) : empty('No request is waiting for a decision.')), where),
    fill(expiring, api('/exceptions', { query: { status: 'active', expiring_within_days: soon, limit: 100 }, signal }),
      (page) => (page.items.length ? exceptionTable(page.items, view, { caption: 'Expiring soon' }) : empty(`No active exception ends within ${soon} days.`)), where),
    fill(listing, api('/exceptions', { query: { ...wanted, limit: 50, cursor }, signal }), (page) => [
      totalLine(page.total, 'exception'),
      page.items.length ? exceptionTable(page.items, view, { caption: 'Exceptions' }) : empty('No exception matches these filters.'),
      pager({
        isFirst: !cursor,
        nextCursor: page.next_cursor,
        onNext: () => view.go('/exceptions', { ...wanted, soon: query.get('soon') || undefined, cursor: page.next_cursor }),
        onFirst: () => view.go('/exceptions', { ...wanted, soon: query.get('soon') || undefined }),
      }),
    ], where),
  ]);
}
