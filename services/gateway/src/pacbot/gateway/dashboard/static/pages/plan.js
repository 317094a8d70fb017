// One AutoFix plan: what it does, its backup and calls, its history and notices; roll back or
// cancel it when the caller's roles allow.

import { api, segment } from '../api.js';
import { add, h, label, when } from '../dom.js';
import { may } from '../state.js';
import { act, ask, badge, dl, empty, errorBox, json, pageHead, section, table } from '../ui.js';
import { timeline } from './violation.js';

export const PENDING = ['notifying', 'waiting', 'running'];
export const QUEUED = ['notifying', 'waiting', 'held', 'paused', 'running'];
export const STATUSES = ['notifying', 'waiting', 'held', 'paused', 'running', 'applied', 'dry_run', 'skipped', 'failed', 'cancelled', 'rolled_back'];

// One sentence about a plan, saying plainly when it runs in dry run.
export function planSummary(plan) {
  const head = `${plan.kind === 'rollback' ? 'Rollback' : 'Fix'} plan ${plan.plan_id} (${plan.action}), status ${label(plan.status)}`;
  const dry = plan.dry_run ? ' Dry run: AutoFix records the calls it would make and changes nothing.' : '';
  return `${head}: ${plan.detail || 'no detail yet'}.${dry}`;
}

function facts(p, view) {
  return dl([
    ['Status', h('span', { dataset: { field: 'status', value: p.status } }, badge('status', p.status))],
    ['Kind', label(p.kind)],
    p.rollback_of ? ['Rolls back', h('a', { href: view.link('/autofix', {}, p.rollback_of) }, p.rollback_of)] : null,
    ['Action', p.action],
    ['Dry run', h('span', { dataset: { field: 'dry_run', value: p.dry_run } }, p.dry_run ? 'yes: nothing is changed' : 'no')],
    ['Violation', h('a', { href: view.link('/violations', {}, p.violation_id) }, p.violation_id)],
    ['Asset', h('a', { href: view.link('/assets', {}, p.asset_id) }, p.asset_name || p.asset_id)],
    ['Policy', h('a', { href: view.link('/policies', {}, p.policy_id) }, p.policy_id)],
    ['Account', `${p.account_id} ${p.region}`],
    ['Owner', p.owner],
    ['Trigger', p.trigger],
    ['Requested by', p.requested_by],
    ['Due', when(p.due_at)],
    ['Grace', `${p.grace_seconds} s`],
    ['Owner notified', when(p.notified_at)],
    ['Reminders sent', String(p.reminders_sent)],
    ['Applied', when(p.applied_at)],
    ['Created', when(p.created_at)],
    ['Updated', when(p.updated_at)],
  ]);
}

function notifications(items) {
  if (!items || !items.length) return empty('No notification about this plan.');
  return table({
    caption: 'Notifications',
    captionHidden: true,
    columns: [
      { label: 'Kind', cell: (n) => label(n.kind) },
      { label: 'To', cell: (n) => n.recipient },
      { label: 'Subject', cell: (n) => n.subject },
      { label: 'Status', cell: (n) => badge('status', n.status) },
      { label: 'Channels', cell: (n) => (n.deliveries || []).map((d) => `${d.channel}: ${d.status}`).join(', ') },
      { label: 'Delivered', cell: (n) => when(n.delivered_at) },
    ],
    rows: items,
  });
}

export async function render(view) {
  const { root, params, signal } = view;
  const back = h('a', { href: view.link('/autofix') }, 'AutoFix');
  let p;
  try {
    p = await api(`/fixes/${segment(params.id)}`, { signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, pageHead('Fix plan', { kicker: back }), errorBox(error, { route: '/fixes/{plan_id}' }));
    return;
  }
  root.dataset.planId = p.plan_id;
  const outcome = h('div', { class: 'slot', aria: { live: 'polite' } });
  const buttons = [];
  const write = (path, confirm, question, verb) => {
    const button = h('button', { type: 'button', class: verb === 'Roll back' ? 'button danger' : 'button secondary' }, verb);
    button.addEventListener('click', async () => {
      const reason = await ask({ title: question, fieldLabel: 'Reason', confirm });
      if (reason === null) return;
      const made = await act(button, outcome, () => api(`/fixes/${segment(p.plan_id)}/${path}`, { method: 'POST', body: { reason } }), {
        success: (answer) => h('span', {}, planSummary(answer), ' ', h('a', { href: view.link('/autofix', {}, answer.plan_id) }, 'Open it')),
        where: { method: 'POST', route: `/fixes/{plan_id}/${path}` },
      });
      if (made) button.disabled = true;
    });
    buttons.push(button);
  };
  if (p.kind === 'fix' && p.status === 'applied' && may('POST', '/fixes/{plan_id}/rollback')) {
    write('rollback', 'Confirm rollback', `Roll back ${p.plan_id}: restore the backup`, 'Roll back');
  }
  if (['notifying', 'waiting', 'held'].includes(p.status) && may('POST', '/fixes/{plan_id}/cancel')) {
    write('cancel', 'Confirm cancellation', `Cancel ${p.plan_id} before it acts`, 'Cancel plan');
  }
  add(root, 
    pageHead(`Fix plan ${p.plan_id}`, { kicker: back, subtitle: `${p.action} on ${p.asset_name || p.asset_id}` }),
    h('p', { class: p.dry_run ? 'state warn' : 'state empty', dataset: { field: 'summary' } }, planSummary(p)),
    buttons.length ? section('Actions', { id: 'actions' }, h('div', { class: 'action-bar' }, buttons), outcome) : null,
    h('div', { class: 'split' },
      section('Details', { id: 'details' }, facts(p, view)),
      section('History', { id: 'history' }, timeline(p.history, { what: 'step' }))),
    h('div', { class: 'grid two' },
      section('Calls', { id: 'calls', note: p.dry_run ? 'In dry run these were recorded, not made.' : null }, p.calls ? json(p.calls) : empty('No call yet.')),
      section('Backup', { id: 'backup' }, p.backup ? json(p.backup) : empty('No backup yet.'))),
    section('Notifications', { id: 'notifications' }, notifications(p.notifications)),
  );
}
