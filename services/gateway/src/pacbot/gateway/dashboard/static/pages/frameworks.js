// Frameworks: the catalogue, and one framework control by control with pass / fail / manual /
// not evaluated (from GET /compliance/frameworks/{id}), grouped by the framework's sections.

import { api, segment } from '../api.js';
import { add, count, figure, h, pct, replace } from '../dom.js';
import { ring, tone } from '../charts.js';
import { badge, empty, errorBox, field, fill, loading, pageHead, section, select, table } from '../ui.js';

const STATUSES = [['', 'Any'], ['fail', 'Fail'], ['pass', 'Pass'], ['manual', 'Manual'], ['not_evaluated', 'Not evaluated']];

function catalogue(items, view) {
  if (!items.length) return empty('No framework is loaded.');
  return table({
    caption: 'Frameworks',
    captionHidden: true,
    columns: [
      { label: 'Framework', cell: (f) => [h('a', { href: view.link('/frameworks', {}, f.framework_id) }, `${f.name} ${f.version}`), h('span', { class: 'cell-sub' }, `${f.framework_id} · ${f.publisher}`)] },
      { label: 'Controls', numeric: true, cell: (f) => figure(`frameworks.${f.framework_id}.controls`, f.controls) },
      { label: 'Automated', numeric: true, cell: (f) => figure(`frameworks.${f.framework_id}.automated`, f.automated) },
      { label: 'Manual', numeric: true, cell: (f) => figure(`frameworks.${f.framework_id}.manual`, f.manual) },
      { label: 'Mapped controls', numeric: true, cell: (f) => figure(`frameworks.${f.framework_id}.mapped_controls`, f.mapped_controls) },
      { label: 'Policies', numeric: true, cell: (f) => figure(`frameworks.${f.framework_id}.policies`, f.policies) },
    ],
    rows: items,
    rowProps: (f) => ({ dataset: { frameworkId: f.framework_id } }),
  });
}

function totals(c) {
  const card = (title, name, value, format = count) => h('div', { class: 'card kpi' }, h('p', { class: 'kpi-title' }, title), h('p', { class: 'kpi-value' }, figure(name, value, format)));
  return h('div', { class: 'kpis' },
    h('div', { class: ['card', 'kpi', 'kpi-main', tone(c.compliance_pct)] },
      ring(c.compliance_pct, { label: 'Controls passing' }),
      h('div', {},
        h('p', { class: 'kpi-title' }, 'Controls passing'),
        h('p', { class: 'kpi-value big' }, figure('framework.compliance_pct', c.compliance_pct, pct)),
        h('p', { class: 'kpi-hint' }, `Of the decided controls · scope ${c.scope}`))),
    card('Controls', 'framework.controls', c.controls),
    card('Passing', 'framework.passing', c.passing),
    card('Failing', 'framework.failing', c.failing),
    card('Manual', 'framework.manual', c.manual),
    card('Not evaluated', 'framework.not_evaluated', c.not_evaluated));
}

function policyList(control, view) {
  if (!control.policies.length) return h('span', { class: 'muted' }, 'no mapped policy');
  return h('ul', { class: 'plain' }, control.policies.map((p) => h('li', { dataset: { policyId: p.policy_id } },
    h('a', { href: view.link('/violations', { status: 'open', policy_id: p.policy_id }) }, p.name),
    h('span', { class: 'cell-sub' },
      `${p.enabled ? '' : 'disabled · '}`, figure(`controls.${control.control_id}.${p.policy_id}.failing`, p.failing), ' failing of ',
      figure(`controls.${control.control_id}.${p.policy_id}.evaluated`, p.evaluated), ' · ',
      figure(`controls.${control.control_id}.${p.policy_id}.compliance_pct`, p.compliance_pct, pct)))));
}

function controls(items, view) {
  if (!items.length) return [empty('No control matches this filter.')];
  const sections = [];
  for (const control of items) {
    const last = sections.at(-1);
    if (last && last.title === control.section) last.items.push(control);
    else sections.push({ title: control.section, items: [control] });
  }
  return sections.map((s) => h('div', { class: 'control-section' },
    h('h3', {}, s.title),
    table({
      caption: s.title,
      captionHidden: true,
      columns: [
        { label: 'Control', cell: (c) => h('span', { class: 'mono nowrap' }, c.control_id) },
        { label: 'Title', cell: (c) => [c.title, h('span', { class: 'cell-sub' }, [c.subsection, c.profile, c.manual ? 'manual' : null].filter(Boolean).join(' · '))] },
        { label: 'Status', cell: (c) => h('span', { dataset: { field: 'status', value: c.status } }, badge('status', c.status)) },
        { label: 'Policies', cell: (c) => policyList(c, view) },
        { label: 'Failing', numeric: true, cell: (c) => figure(`controls.${c.control_id}.failing`, c.failing) },
        { label: 'Evaluated', numeric: true, cell: (c) => figure(`controls.${c.control_id}.evaluated`, c.evaluated) },
      ],
      rows: s.items,
      rowProps: (c) => ({ dataset: { controlId: c.control_id, status: c.status } }),
    })));
}

async function frameworkPage(view) {
  const { root, params, query, signal, group } = view;
  const back = h('a', { href: view.link('/frameworks') }, 'Frameworks');
  const status = select('status', STATUSES, query.get('status') || '');
  const exempted = h('input', { type: 'checkbox', name: 'exempted_as_passing', id: 'exempted-as-passing', checked: query.get('exempted_as_passing') === 'true' });
  const apply = () => view.go('/frameworks', { status: status.value || undefined, exempted_as_passing: exempted.checked ? 'true' : undefined }, params.id);
  status.addEventListener('change', apply);
  exempted.addEventListener('change', apply);
  const head = h('div', { class: 'slot' }, pageHead(params.id, { kicker: back }));
  const figures = h('div', { class: 'slot' }, loading());
  const list = h('div', { class: 'slot' }, loading());
  add(root, head, figures,
    section('Controls', {
      id: 'controls',
      actions: [field('Status', status), h('label', { class: 'check', htmlFor: 'exempted-as-passing' }, exempted, 'Count exempted as passing')],
    }, list));
  try {
    const answer = await api(`/compliance/frameworks/${segment(params.id)}`, {
      query: { group: group || undefined, status: query.get('status') || undefined, exempted_as_passing: query.get('exempted_as_passing') || undefined, limit: 1000 },
      signal,
    });
    replace(head, pageHead(`${answer.name} ${answer.version}`, { kicker: back, subtitle: `${answer.framework_id} · ${group ? `asset group ${group}` : 'all assets'}` }));
    replace(figures, totals(answer));
    replace(list, ...controls(answer.items, view));
  } catch (error) {
    if (error.name === 'AbortError') return;
    replace(figures, errorBox(error, { route: '/compliance/frameworks/{framework_id}' }));
    replace(list, empty('No controls to show.'));
  }
}

export async function render(view) {
  if (view.params.id) return frameworkPage(view);
  const { root, signal } = view;
  add(root, pageHead('Frameworks', { subtitle: 'Compliance standards, control by control' }));
  const list = h('div', { class: 'slot' });
  add(root, section('Catalogue', { id: 'catalogue' }, list));
  await fill(list, api('/frameworks', { query: { limit: 100 }, signal }), (page) => catalogue(page.items, view), { route: '/frameworks' });
  return undefined;
}

