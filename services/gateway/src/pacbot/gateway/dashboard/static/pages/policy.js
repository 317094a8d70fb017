// One policy: what it checks and how to fix it; enable, disable and set its parameters (admin),
// its audited changes, and a link to preview a draft of it.

import { api, segment } from '../api.js';
import { add, h, label, replace, when } from '../dom.js';
import { may } from '../state.js';
import { announce, badge, dl, empty, errorBox, field, fill, json, loading, pageHead, section } from '../ui.js';
import { frameworkChips } from './policies.js';
import { timeline } from './violation.js';

function facts(p) {
  return dl([
    ['Id', h('span', { class: 'mono' }, p.id)],
    ['State', h('span', { class: ['badge', `enabled-${p.enabled}`], dataset: { field: 'enabled', value: p.enabled } }, p.enabled ? 'Enabled' : 'Disabled')],
    ['Severity', badge('severity', p.severity)],
    ['Category', label(p.category)],
    ['Resource type', p.resource],
    ['Version', String(p.version)],
    ['Frameworks', frameworkChips(p.frameworks)],
    ['AutoFix', p.autofix ? `${p.autofix.action} (grace ${p.autofix.grace_seconds} s)` : 'none'],
    ['Registry revision', String(p.revision)],
    ['Last changed', when(p.updated_at)],
  ]);
}

function remediation(r) {
  return h('div', { class: 'grid' },
    h('p', {}, r.text),
    r.links?.length ? h('ul', {}, r.links.map((url) => h('li', {}, h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, url)))) : null);
}

// A parameter's control: a number, a checkbox, a text, or JSON for lists and maps.
function paramControl(name, spec) {
  const value = spec.value ?? spec.default;
  const kind = typeof spec.default;
  if (kind === 'boolean') return { node: h('input', { type: 'checkbox', name, checked: Boolean(value) }), read: (n) => n.checked };
  if (kind === 'number') return { node: h('input', { type: 'number', name, value: String(value), step: 'any' }), read: (n) => Number(n.value) };
  if (kind === 'string') return { node: h('input', { type: 'text', name, value }), read: (n) => n.value };
  return { node: h('textarea', { name, rows: 3, value: JSON.stringify(value, null, 2), class: 'mono' }), read: (n) => JSON.parse(n.value) };
}

function settings(p, view, onSaved) {
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: p.enabled, id: 'policy-enabled' });
  const controls = Object.entries(p.params || {}).map(([name, spec]) => {
    const control = paramControl(name, spec);
    const hint = `${spec.description} (default ${JSON.stringify(spec.default)}${spec.overridden ? ', overridden' : ''})`;
    return { name, spec, control, node: field(name, control.node, hint) };
  });
  const reason = h('textarea', { name: 'reason', rows: 2 });
  const outcome = h('div', { class: 'slot', aria: { live: 'polite' } });
  const save = h('button', { type: 'submit', class: 'button primary' }, 'Save changes');
  const form = h('form', { class: 'grid', aria: { label: 'Policy settings' } },
    h('div', { class: 'field' },
      h('label', { class: 'check', htmlFor: 'policy-enabled' }, enabled, 'Enabled'),
      h('span', { class: 'hint' }, 'A disabled policy is not evaluated, and its open violations close.')),
    controls.length ? h('fieldset', { class: 'grid' }, h('legend', {}, 'Parameters'), controls.map((c) => c.node)) : h('p', { class: 'muted' }, 'This policy has no parameter.'),
    field('Reason for the change', reason, 'Kept in the policy\'s audited history'),
    h('div', { class: 'action-bar' }, save),
    outcome);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    if (enabled.checked !== p.enabled) body.enabled = enabled.checked;
    const params = {};
    try {
      for (const c of controls) {
        const value = c.control.read(c.control.node);
        if (JSON.stringify(value) !== JSON.stringify(c.spec.value ?? c.spec.default)) params[c.name] = value;
      }
    } catch (error) {
      replace(outcome, h('p', { class: 'state error', role: 'alert' }, `A parameter is not valid JSON: ${error.message}`));
      return;
    }
    if (Object.keys(params).length) body.params = params;
    if (!('enabled' in body) && !body.params) {
      replace(outcome, h('p', { class: 'state empty', role: 'status' }, 'Nothing changed.'));
      return;
    }
    if (reason.value.trim()) body.reason = reason.value.trim();
    save.disabled = true;
    replace(outcome, loading('Saving…'));
    try {
      const answer = await api(`/policies/${segment(p.id)}`, { method: 'PATCH', body });
      const replay = answer.replay ? ` Re-evaluation: ${answer.replay.status}${answer.replay.replayed !== null ? ` (${answer.replay.replayed} assets)` : ''}${answer.replay.error ? `, ${answer.replay.error}` : ''}.` : '';
      const text = answer.change ? `Saved as revision ${answer.change.revision}.${replay}` : `Nothing changed.${replay}`;
      replace(outcome, h('p', { class: 'state ok', role: 'status' }, text));
      announce(text);
      onSaved(answer.policy);
    } catch (error) {
      replace(outcome, errorBox(error, { method: 'PATCH', route: '/policies/{policy_id}' }));
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function changes(page) {
  if (!page.items.length) return empty('No change since the policy was loaded.');
  return h('ol', { class: 'timeline' }, page.items.map((c) => h('li', { dataset: { revision: c.revision } },
    h('span', { class: 'when' }, when(c.changed_at)), ' ',
    h('span', { class: 'what' }, `Revision ${c.revision}`), h('span', { class: 'muted' }, ` by ${c.changed_by}`),
    c.reason ? h('p', { class: 'detail' }, c.reason) : null,
    json(c.changes))));
}

export async function render(view) {
  const { root, params, signal } = view;
  const back = h('a', { href: view.link('/policies') }, 'Policies');
  let p;
  try {
    p = await api(`/policies/${segment(params.id)}`, { signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    add(root, pageHead('Policy', { kicker: back }), errorBox(error, { route: '/policies/{policy_id}' }));
    return;
  }
  root.dataset.policyId = p.id;
  const factsSlot = h('div', { class: 'slot' }, facts(p));
  const history = h('div', { class: 'slot' });
  const loadHistory = () => fill(history, api(`/policies/${segment(p.id)}/history`, { query: { limit: 50 }, signal }), changes, { route: '/policies/{policy_id}/history' });
  const actions = [h('a', { class: 'button secondary', href: view.link('/violations', { status: 'open', policy_id: p.id }) }, 'Open violations')];
  if (may('POST', '/policies/whatif')) actions.push(h('a', { class: 'button secondary', href: view.link('/policies/whatif', { from: p.id }) }, 'Preview a draft'));
  add(root, 
    pageHead(p.name, { kicker: back, subtitle: p.id, actions }),
    h('div', { class: 'split' },
      h('div', { class: 'grid' },
        section('Details', { id: 'details' }, factsSlot),
        section('What it checks', { id: 'description' }, h('p', {}, p.description)),
        section('How to fix', { id: 'remediation' }, remediation(p.remediation))),
      h('div', { class: 'grid' },
        may('PATCH', '/policies/{policy_id}') ? section('Settings', { id: 'settings' }, settings(p, view, (updated) => {
          replace(factsSlot, facts({ ...p, ...updated }));
          if (may('GET', '/policies/{policy_id}/history')) loadHistory();
        })) : section('Parameters', { id: 'parameters' }, Object.keys(p.params || {}).length
          ? dl(Object.entries(p.params).map(([name, spec]) => [name, `${JSON.stringify(spec.value ?? spec.default)} · ${spec.description}`]))
          : empty('This policy has no parameter.')),
        may('GET', '/policies/{policy_id}/history') ? section('Changes', { id: 'history' }, history) : null)),
  );
  if (may('GET', '/policies/{policy_id}/history')) await loadHistory();
}
