// Preview a draft policy: what it would fail, pass, open and close, before it is loaded.

import { api, segment } from '../api.js';
import { add, count, figure, h, replace } from '../dom.js';
import { announce, dl, empty, errorBox, field, loading, pageHead, section, table } from '../ui.js';

const EXAMPLE = `id: aws-s3-bucket-public-access
version: 2
name: S3 buckets must block public access
description: >-
  Every bucket sets all four S3 Block Public Access flags, whatever its ACL and bucket
  policy allow today.
resource: aws.s3.bucket
severity: critical
category: security
frameworks:
  cis-aws-3.0: ["2.1.4"]
remediation:
  text: Enable all four S3 Block Public Access settings on the bucket.
condition:
  check: s3-public-access-block-enabled
`;

function report(r, view) {
  const ids = (list) => (list.length ? h('ul', { class: 'plain mono' }, list.map((id) => h('li', {}, id))) : h('span', { class: 'muted' }, 'none'));
  return h('div', { class: 'grid' },
    h('div', { class: 'kpis compact' },
      h('div', { class: 'card kpi' }, h('p', { class: 'kpi-title' }, 'Evaluated'), h('p', { class: 'kpi-value' }, figure('whatif.evaluated', r.evaluated))),
      h('div', { class: 'card kpi' }, h('p', { class: 'kpi-title' }, 'Would fail'), h('p', { class: 'kpi-value' }, figure('whatif.would_fail', r.would_fail.length))),
      h('div', { class: 'card kpi' }, h('p', { class: 'kpi-title' }, 'Would pass'), h('p', { class: 'kpi-value' }, figure('whatif.would_pass', r.would_pass))),
      h('div', { class: 'card kpi' }, h('p', { class: 'kpi-title' }, 'Not applicable'), h('p', { class: 'kpi-value' }, figure('whatif.not_applicable', r.not_applicable)))),
    dl([
      ['Policy', r.policy_id],
      ['Resource type', r.resource],
      ['Today', r.current?.exists ? `version ${r.current.version}, ${r.current.enabled ? 'enabled' : 'disabled'}, ${count(r.current.failing)} failing` : 'a new policy'],
      ['Would open', ids(r.would_open)],
      ['Would close', ids(r.would_close)],
    ]),
    r.would_fail.length ? table({
      caption: 'Assets the draft would fail',
      columns: [
        { label: 'Asset', cell: (f) => [h('a', { href: view.link('/assets', {}, f.asset_id) }, f.name || f.asset_id), h('span', { class: 'cell-sub' }, f.asset_id)] },
        { label: 'Why', cell: (f) => f.reason },
      ],
      rows: r.would_fail,
    }) : empty('The draft fails no asset.'),
    r.errors?.length ? h('div', { class: 'state warn' }, `${r.errors.length} asset(s) could not be evaluated: `, r.errors.map((e) => e.reason || JSON.stringify(e)).join('; ')) : null);
}

function invalid(error) {
  const details = error.problem?.errors || [];
  return h('div', { class: 'state error', role: 'alert' },
    `The draft is not a valid policy: ${error.message}`,
    details.length ? h('ul', {}, details.map((d) => h('li', {}, `line ${d.line}, ${d.path}: ${d.message}`))) : null);
}

export async function render(view) {
  const { root, query, signal } = view;
  const back = h('a', { href: view.link('/policies') }, 'Policies');
  const draft = h('textarea', { name: 'draft', rows: 18, class: 'mono', spellcheck: false });
  const result = h('div', { class: 'slot', aria: { live: 'polite' } });
  const run = h('button', { type: 'submit', class: 'button primary' }, 'Preview');
  const form = h('form', { class: 'grid', aria: { label: 'Draft policy' } },
    field('Draft policy (YAML or JSON)', draft, 'A whole policy document: nothing is stored, no violation opens'),
    h('div', { class: 'action-bar' }, run,
      h('button', { type: 'button', class: 'button secondary', on: { click: () => { draft.value = EXAMPLE; draft.focus(); } } }, 'Use the example')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!draft.value.trim()) { replace(result, h('p', { class: 'state error', role: 'alert' }, 'Write or paste a draft first.')); draft.focus(); return; }
    run.disabled = true;
    replace(result, loading('Evaluating the draft against the current inventory…'));
    try {
      const answer = await api('/policies/whatif', { method: 'POST', body: draft.value, raw: 'application/yaml', signal });
      replace(result, report(answer, view));
      announce(`The draft would fail ${answer.would_fail.length} of ${answer.evaluated} assets.`);
    } catch (error) {
      if (error.name === 'AbortError') return;
      replace(result, error.status === 422 ? invalid(error) : errorBox(error, { method: 'POST', route: '/policies/whatif' }));
    } finally {
      run.disabled = false;
    }
  });
  add(root, 
    pageHead('Preview a draft policy', { kicker: back, subtitle: 'What-if: how a new or changed policy would judge today\'s assets' }),
    section('Draft', { id: 'draft' }, form),
    section('Result', { id: 'result' }, result),
  );
  const from = query.get('from');
  if (from) {
    try {
      const p = await api(`/policies/${segment(from)}`, { signal });
      draft.value = `# Draft of ${p.id} (version ${p.version}): write its condition below.\n` +
        `id: ${p.id}\nversion: ${p.version + 1}\nname: ${JSON.stringify(p.name)}\ndescription: ${JSON.stringify(p.description)}\n` +
        `resource: ${p.resource}\nseverity: ${p.severity}\ncategory: ${p.category}\n` +
        `remediation:\n  text: ${JSON.stringify(p.remediation.text)}\ncondition:\n`;
    } catch (error) {
      if (error.name !== 'AbortError') replace(result, errorBox(error, { route: '/policies/{policy_id}' }));
    }
  } else {
    replace(result, empty('Write a draft, or use the example, then Preview.'));
  }
}
