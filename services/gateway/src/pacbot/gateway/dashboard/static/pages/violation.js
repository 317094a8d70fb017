// One violation: what fails and why, its timeline, the asset's configuration, its fix plans,
// and the actions the caller's roles allow (request an exception, fix now).

import { api, segment } from '../api.js';
import { add, h, label, replace, when } from '../dom.js';
import { may } from '../state.js';
import { announce, badge, dl, empty, errorBox, field, fill, json, loading, pageHead, section, table } from '../ui.js';
import { planSummary, PENDING } from './plan.js';

const POLL_MS = 1500;
const POLL_LIMIT = 20;

export function timeline(entries, { at = 'at', what = 'event', detail = 'detail', actor } = {}) {
  if (!entries || !entries.length) return empty('Nothing has happened yet.');
  return h('ol', { class: 'timeline' }, entries.map((e) => h('li', { dataset: { event: e[what] } },
    h('span', { class: 'when' }, when(e[at])), ' ',
    h('span', { class: 'what' }, label(e[what])),
    actor && e[actor] ? h('span', { class: 'muted' }, ` by ${e[actor]}`) : null,
    e[detail] ? h('p', { class: 'detail' }, e[detail]) : null)));
}

function tags(map) {
  const entries = Object.entries(map || {});
  if (!entries.length) return h('span', { class: 'muted' }, 'none');
  return h('span', { class: 'tags' }, entries.map(([k, v]) => h('span', { class: 'tag' }, `${k}=${v}`)));
}

function facts(v, view) {
  return dl([
    ['Status', h('span', { dataset: { field: 'status', value: v.status } }, badge('status', v.status))],
    ['Severity', badge('severity', v.severity)],
    ['Category', label(v.category)],
    ['Policy', h('a', { href: view.link('/policies', {}, v.policy_id) }, v.policy_id)],
    ['Asset', h('a', { href: view.link('/assets', {}, v.asset_id) }, v.asset_name || v.asset_id)],
    ['Asset id', h('span', { class: 'mono' }, v.asset_id)],
    ['Resource type', v.resource_type],
    ['Account', v.account_id],
    ['Region', v.region],
    ['Owner', v.owner],
    ['Opened', when(v.opened_at)],
    ['Updated', when(v.updated_at)],
    v.closed_at ? ['Closed', when(v.closed_at)] : null,
    v.close_reason ? ['Close reason', label(v.close_reason)] : null,
    v.exception_id ? ['Exception', h('a', { href: view.link('/exceptions', {}, v.exception_id), dataset: { field: 'exception_id' } }, v.exception_id)] : null,
    ['Episode', String(v.episode)],
    ['Tags', tags(v.tags)],
  ]);
}

function inDays(days) {
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().slice(0, 10);
}

function exceptionAction(v, view, outcome) {
  const reason = h('textarea', { name: 'reason', rows: 3, required: true });
  const expires = h('input', { type: 'date', name: 'expires_on', value: inDays(30), min: inDays(1), required: true });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Submit request');
  const form = h('form', { class: 'action-form', hidden: true, aria: { label: 'Request an exception' } },
    h('p', { class: 'muted' }, `Exempt ${v.asset_name || v.asset_id} from ${v.policy_id} until security approves it and until it expires.`),
    field('Reason', reason, 'Why this asset may stay as it is'),
    field('Expires on', expires, 'The exception ends at the start of this day (UTC)'),
    h('div', { class: 'action-bar' }, submit,
      h('button', { type: 'button', class: 'button secondary', on: { click: () => { form.hidden = true; open.focus(); } } }, 'Cancel')));
  const open = h('button', {
    type: 'button', class: 'button secondary', aria: { expanded: 'false' },
    on: { click: () => { form.hidden = !form.hidden; open.setAttribute('aria-expanded', String(!form.hidden)); if (!form.hidden) reason.focus(); } },
  }, 'Request exception');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) { replace(outcome, errorBox(new Error('a reason is required'))); reason.focus(); return; }
    submit.disabled = true;
    replace(outcome, loading('Requesting the exception…'));
    try {
      const made = await api('/exceptions', {
        method: 'POST',
        body: {
          kind: 'resource', asset_ids: [v.asset_id], policy_ids: [v.policy_id],
          reason: reason.value.trim(), expires_at: `${expires.value}T00:00:00Z`,
        },
      });
      const text = `Exception ${made.exception_id} requested: it is ${made.status} until security decides.`;
      replace(outcome, h('div', { class: 'state ok', role: 'status', dataset: { exceptionId: made.exception_id } },
        text, ' ', h('a', { href: view.link('/exceptions', {}, made.exception_id) }, 'See the request')));
      announce(text);
      form.hidden = true;
      open.setAttribute('aria-expanded', 'false');
    } catch (error) {
      replace(outcome, errorBox(error, { method: 'POST', route: '/exceptions' }));
    } finally {
      submit.disabled = false;
    }
  });
  return [open, form];
}

function fixAction(v, view, outcome, onPlan) {
  const dry = h('input', { type: 'checkbox', name: 'dry_run', id: 'fix-dry-run' });
  const button = h('button', { type: 'button', class: 'button danger' }, 'Fix now');
  button.addEventListener('click', async () => {
    button.disabled = true;
    replace(outcome, loading('Asking AutoFix…'));
    try {
      let plan = await api('/fixes', { method: 'POST', body: { violation_id: v.violation_id, dry_run: dry.checked } });
      const show = () => replace(outcome, h('div', { class: 'state ok', role: 'status', dataset: { planId: plan.plan_id, planStatus: plan.status, dryRun: plan.dry_run } },
        planSummary(plan), ' ', h('a', { href: view.link('/autofix', {}, plan.plan_id) }, 'Open the plan')));
      show();
      announce(outcome.textContent);
      for (let i = 0; i < POLL_LIMIT && PENDING.includes(plan.status) && !view.signal.aborted; i += 1) {
        await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
        plan = await api(`/fixes/${segment(plan.plan_id)}`, { signal: view.signal });
        show();
      }
      if (!PENDING.includes(plan.status)) announce(outcome.textContent);
      onPlan();
    } catch (error) {
      if (error.name !== 'AbortError') replace(outcome, errorBox(error, { method: 'POST', route: '/fixes' }));
    } finally {
      button.disabled = false;
    }
  });
  return [button, h('label', { class: 'check', htmlFor: 'fix-dry-run' }, dry, 'Dry run only (record the calls, change nothing)')];
}

function plans(items, view) {
  if (!items.length) return empty('AutoFix has no plan for this violation.');
  return table({
    caption: 'Fix plans',
    captionHidden: true,
    columns: [
      { label: 'Plan', cell: (p) => h('a', { href: view.link('/autofix', {}, p.plan_id) }, p.plan_id) },
      { label: 'Kind', cell: (p) => label(p.kind) },
      { label: 'Status', cell: (p) => badge('status', p.status) },
      { label: 'Action', cell: (p) => p.action },
      { label: 'Dry run', cell: (p) => (p.dry_run ? 'yes' : 'no') },
      { label: 'Due', cell: (p) => when(p.due_at) },
      { label: 'Detail', cell: (p) => p.detail },
    ],
    rows: items,
    rowProps: (p) => ({ dataset: { planId: p.plan_id, status: p.status } }),
  });
}

export async function render(view) {
  const { root, params, signal } = view;
  let v;
  try {
    v = await api(`/violations/${segment(params.id)}`, { signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, pageHead('Violation', { kicker: h('a', { href: view.link('/violations', { status: 'open' }) }, 'Violations') }),
      errorBox(error, { route: '/violations/{violation_id}' }));
    return;
  }
  root.dataset.violationId = v.violation_id;
  add(root, pageHead(v.policy_name || v.policy_id, {
    kicker: [h('a', { href: view.link('/violations', { status: 'open' }) }, 'Violations'), ` › ${v.violation_id}`],
    subtitle: `${v.asset_name || v.asset_id} · ${v.resource_type} · ${v.account_id} ${v.region}`,
  }));

  const outcome = h('div', { class: 'slot', aria: { live: 'polite' } });
  const plansSlot = h('div', { class: 'slot' });
  const loadPlans = () => fill(plansSlot, api('/fixes', { query: { violation_id: v.violation_id, limit: 50 }, signal }), (page) => plans(page.items, view), { route: '/fixes' });
  const actions = [];
  if (v.status === 'open' && may('POST', '/exceptions')) actions.push(...exceptionAction(v, view, outcome));
  if (v.status === 'open' && may('POST', '/fixes')) actions.push(...fixAction(v, view, outcome, loadPlans));

  const config = h('div', { class: 'slot' });
  add(root, 
    h('div', { class: 'split' },
      section('Details', { id: 'details' }, facts(v, view)),
      h('div', { class: 'grid' },
        section('Why it fails', { id: 'reason' }, h('p', { class: 'reason', dataset: { field: 'reason' } }, v.reason || 'No reason recorded.')),
        actions.length ? section('Actions', { id: 'actions' },
          h('div', { class: 'action-bar' }, actions.filter((a) => a.tagName !== 'FORM')),
          actions.filter((a) => a.tagName === 'FORM'),
          outcome) : null,
        section('Timeline', { id: 'timeline' }, timeline(v.timeline)))),
    section('Asset configuration', { id: 'configuration' }, config),
    may('GET', '/fixes') ? section('Fix plans', { id: 'plans' }, plansSlot) : null,
  );
  const jobs = [fill(config, api(`/assets/${segment(v.asset_id)}`, { signal }), (a) => [
    h('p', { class: 'muted' }, `Version ${a.version}, last seen ${when(a.last_seen)}. `, h('a', { href: view.link('/assets', {}, a.asset_id) }, 'Asset details and history')),
    json(a.config),
  ], { route: '/assets/{asset_id}' }).catch(() => {})];
  if (may('GET', '/fixes')) jobs.push(loadPlans());
  await Promise.all(jobs);
}

