// One exception: what it covers, why, who decided; Approve / Reject (security) and Revoke.

import { api, segment } from '../api.js';
import { add, day, h, label, replace, when } from '../dom.js';
import { may } from '../state.js';
import { act, ask, badge, dl, errorBox, json, pageHead, section } from '../ui.js';
import { decisionButtons, scopeOf } from './exceptions.js';
import { timeline } from './violation.js';

function facts(x, view) {
  return dl([
    ['Status', h('span', { class: 'status-cell', dataset: { field: 'status', value: x.status } }, badge('status', x.status))],
    ['Kind', label(x.kind)],
    ['Assets', x.kind === 'resource' ? h('ul', { class: 'plain' }, x.asset_ids.map((id) => h('li', {}, h('a', { href: view.link('/assets', {}, id) }, id)))) : scopeOf(x)],
    ['Policies', x.policy_ids.length ? h('ul', { class: 'plain' }, x.policy_ids.map((id) => h('li', {}, h('a', { href: view.link('/policies', {}, id) }, id)))) : 'every policy'],
    ['Requester', x.requester],
    ['Requested', when(x.created_at)],
    ['Expires', day(x.expires_at)],
    ['Approver', x.approver],
    ['Decided', x.decided_at ? when(x.decided_at) : null],
    ['Decision', x.decision_reason],
    x.revoked_at ? ['Revoked', `${when(x.revoked_at)} by ${x.revoked_by}: ${x.revoke_reason}`] : null,
  ]);
}

export async function render(view) {
  const { root, params, signal } = view;
  const back = h('a', { href: view.link('/exceptions') }, 'Exceptions');
  let x;
  try {
    x = await api(`/exceptions/${segment(params.id)}`, { signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, pageHead('Exception', { kicker: back }), errorBox(error, { route: '/exceptions/{exception_id}' }));
    return;
  }
  root.dataset.exceptionId = x.exception_id;
  const outcome = h('div', { class: 'slot', aria: { live: 'polite' } });
  const settle = (answer) => {
    root.dataset.status = answer.status;
    replace(root.querySelector('.status-cell'), badge('status', answer.status));
    for (const b of buttons) b.remove();
  };
  const buttons = decisionButtons(x, outcome, settle);
  if (['pending', 'active'].includes(x.status) && may('POST', '/exceptions/{exception_id}/revoke')) {
    const revoke = h('button', { type: 'button', class: 'button secondary' }, 'Revoke');
    revoke.addEventListener('click', async () => {
      const reason = await ask({ title: `Revoke ${x.exception_id}`, fieldLabel: 'Reason', confirm: 'Confirm revocation' });
      if (reason === null) return;
      const answer = await act(revoke, outcome, () => api(`/exceptions/${segment(x.exception_id)}/revoke`, { method: 'POST', body: { reason } }), {
        success: (a) => `Exception ${a.exception_id} revoked.`,
        where: { method: 'POST', route: '/exceptions/{exception_id}/revoke' },
      });
      if (answer) settle(answer);
    });
    buttons.push(revoke);
  }
  add(root, 
    pageHead(`Exception ${x.exception_id}`, { kicker: back, subtitle: x.reason }),
    buttons.length ? section('Decision', { id: 'decision' }, h('div', { class: 'action-bar' }, buttons), outcome) : null,
    h('div', { class: 'split' },
      section('Details', { id: 'details' }, facts(x, view), x.criteria ? json(x.criteria) : null),
      section('History', { id: 'history' }, timeline(x.history, { what: 'action', actor: 'actor' }))),
  );
}
