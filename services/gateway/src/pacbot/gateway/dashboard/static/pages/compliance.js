// The landing page: overall compliance, by category and severity, the trend, the policies
// that fail most, and the accounts and asset groups most affected. Every figure is the API's.

import { api, ApiError } from '../api.js';
import { add, figure, h, label, pct, replace } from '../dom.js';
import { link } from '../router.js';
import { meter, ring, stack, trendChart, tone } from '../charts.js';
import { badge, empty, errorBox, fill, loading, pageHead, section, select, field, table } from '../ui.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const PERIODS = [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days']];
const TOP = 10;

function kpi(title, value, { href, hint } = {}) {
  const body = [h('p', { class: 'kpi-title' }, title), h('p', { class: 'kpi-value' }, value), hint ? h('p', { class: 'kpi-hint' }, hint) : null];
  return h('div', { class: 'card kpi' }, href ? h('a', { href, class: 'kpi-link' }, body) : body);
}

function overview(summary, view) {
  return h('div', { class: 'kpis' },
    h('div', { class: ['card', 'kpi', 'kpi-main', tone(summary.overall_pct)] },
      ring(summary.overall_pct, { label: 'Overall compliance' }),
      h('div', {},
        h('p', { class: 'kpi-title' }, 'Overall compliance'),
        h('p', { class: 'kpi-value big' }, figure('overall_pct', summary.overall_pct, pct)),
        h('p', { class: 'kpi-hint' }, `Weighted by severity and category · scope ${summary.scope}`))),
    kpi('Evaluated assets', figure('evaluated_assets', summary.evaluated_assets), {
      hint: summary.unknown_assets ? [figure('unknown_assets', summary.unknown_assets), ' with unknown results'] : 'with a pass or fail result',
    }),
    kpi('Open violations', figure('open', summary.open), { href: view.link('/violations', { status: 'open' }), hint: 'Failing now, not exempted' }),
    kpi('Exempted', figure('exempted', summary.exempted), { href: view.link('/violations', { status: 'exempted' }), hint: 'Covered by an active exception' }),
    kpi('Closed', figure('closed', summary.closed), { href: view.link('/violations', { status: 'closed' }), hint: 'Fixed, or the asset is gone' }));
}

function categories(summary) {
  if (!summary.categories.length) return empty('No category has evaluated assets yet.');
  return table({
    caption: 'Compliance by category',
    captionHidden: true,
    columns: [
      { label: 'Category', cell: (c) => [label(c.category), h('span', { class: 'cell-sub' }, 'weight ', figure(`categories.${c.category}.weight`, c.weight, String), ' · ', figure(`categories.${c.category}.policies`, c.policies), ' policies')] },
      { label: 'Compliance', cell: (c) => h('div', { class: 'meter-cell' }, meter(c.compliance_pct, label(c.category)), figure(`categories.${c.category}.compliance_pct`, c.compliance_pct, pct)) },
      { label: 'Passing', numeric: true, cell: (c) => figure(`categories.${c.category}.passing`, c.passing) },
      { label: 'Failing', numeric: true, cell: (c) => figure(`categories.${c.category}.failing`, c.failing) },
    ],
    rows: summary.categories,
    rowProps: (c) => ({ dataset: { category: c.category } }),
  });
}

// Open violations by severity: the summary's own counts (scoped like it).
function severities(summary, view) {
  const totals = SEVERITIES.map((severity) => ({ key: severity, value: summary.open_by_severity[severity] ?? 0 }));
  return h('div', { class: 'severities' },
    stack(totals),
    h('ul', { class: 'severity-list' }, totals.map((t) => h('li', {},
      h('a', { href: view.link('/violations', { status: 'open', severity: t.key }) },
        badge('severity', t.key),
        figure(`open_by_severity.${t.key}`, t.value))))));
}

function policies(summary, view) {
  const failing = summary.policies.filter((p) => p.failing > 0)
    .sort((a, b) => b.failing - a.failing || (a.compliance_pct ?? 0) - (b.compliance_pct ?? 0) || a.policy_id.localeCompare(b.policy_id))
    .slice(0, TOP);
  if (!failing.length) return empty('No policy is failing in this scope.');
  return table({
    caption: 'Top failing policies',
    captionHidden: true,
    columns: [
      { label: 'Policy', cell: (p) => h('a', { href: view.link('/violations', { status: 'open', policy_id: p.policy_id }) }, p.name) },
      { label: 'Severity', cell: (p) => badge('severity', p.severity) },
      { label: 'Category', cell: (p) => label(p.category) },
      { label: 'Failing', numeric: true, cell: (p) => figure(`policies.${p.policy_id}.failing`, p.failing) },
      { label: 'Exempted', numeric: true, cell: (p) => figure(`policies.${p.policy_id}.exempted`, p.exempted) },
      { label: 'Evaluated', numeric: true, cell: (p) => figure(`policies.${p.policy_id}.evaluated`, p.evaluated) },
      { label: 'Compliance', numeric: true, cell: (p) => figure(`policies.${p.policy_id}.compliance_pct`, p.compliance_pct, pct) },
    ],
    rows: failing,
    rowProps: (p) => ({ dataset: { policyId: p.policy_id } }),
  });
}

function trend(answer) {
  const points = answer.points.map((p) => ({ day: p.day, value: p.overall_pct }));
  if (!points.some((p) => p.value !== null)) {
    return empty('No daily snapshot of this scope yet: PacBot takes one a day, and for asset groups only those configured in the violations service.');
  }
  return h('div', {},
    trendChart(points),
    h('details', { class: 'chart-data' },
      h('summary', {}, 'Trend data'),
      table({
        caption: 'Daily compliance',
        columns: [
          { label: 'Day', cell: (p) => p.day },
          { label: 'Overall compliance', numeric: true, cell: (p) => figure(`trend.${p.day}.overall_pct`, p.overall_pct, pct) },
          { label: 'Evaluated assets', numeric: true, cell: (p) => figure(`trend.${p.day}.evaluated_assets`, p.evaluated_assets) },
          { label: 'Open', numeric: true, cell: (p) => figure(`trend.${p.day}.open`, p.open) },
          { label: 'Exempted', numeric: true, cell: (p) => figure(`trend.${p.day}.exempted`, p.exempted) },
        ],
        rows: answer.points,
      })));
}

// GET /compliance/breakdown?by=account_id|group: the most affected keys, in the API's order.
function breakdown(answer, kind, view) {
  const items = answer.items.slice(0, TOP);
  if (!items.length) return empty(kind === 'group' ? 'No asset group has evaluated assets.' : 'No account has evaluated assets.');
  const name = kind === 'group' ? 'groups' : 'accounts';
  return table({
    caption: kind === 'group' ? 'Most affected groups' : 'Most affected accounts',
    captionHidden: true,
    columns: [
      {
        label: kind === 'group' ? 'Asset group' : 'Account',
        cell: (i) => (kind === 'group'
          ? h('a', { href: link('/', { group: i.key }) }, i.key)
          : h('a', { href: view.link('/violations', { status: 'open', account_id: i.key }) }, i.key)),
      },
      { label: 'Compliance', cell: (i) => h('div', { class: 'meter-cell' }, meter(i.overall_pct, i.key), figure(`${name}.${i.key}.overall_pct`, i.overall_pct, pct)) },
      { label: 'Open', numeric: true, cell: (i) => figure(`${name}.${i.key}.open`, i.open) },
      { label: 'Critical', numeric: true, cell: (i) => figure(`${name}.${i.key}.open_by_severity.critical`, i.open_by_severity?.critical ?? null) },
      { label: 'High', numeric: true, cell: (i) => figure(`${name}.${i.key}.open_by_severity.high`, i.open_by_severity?.high ?? null) },
      { label: 'Failing', numeric: true, cell: (i) => figure(`${name}.${i.key}.failing`, i.failing) },
      { label: 'Exempted', numeric: true, cell: (i) => figure(`${name}.${i.key}.exempted`, i.exempted) },
    ],
    rows: items,
    rowProps: (i) => ({ dataset: { key: i.key } }),
  });
}

async function breakdownInto(slot, by, view) {
  replace(slot, loading());
  try {
    const answer = await api('/compliance/breakdown', { query: { by, group: by === 'group' ? undefined : view.group || undefined, limit: TOP }, signal: view.signal });
    replace(slot, breakdown(answer, by === 'group' ? 'group' : 'account', view));
  } catch (error) {
    if (error.name === 'AbortError') return;
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      replace(slot, empty('This gateway does not offer the compliance breakdown yet.'));
    } else {
      replace(slot, errorBox(error, { route: '/compliance/breakdown' }));
    }
  }
}

export async function render(view) {
  const { root, group, query, signal } = view;
  const days = PERIODS.some(([d]) => d === query.get('days')) ? query.get('days') : '30';
  const period = select('days', PERIODS, days);
  period.addEventListener('change', () => view.go('/', { days: period.value }));
  add(root, pageHead('Compliance', {
    subtitle: group ? `Asset group ${group}` : 'All assets',
  }));
  const top = h('div', { class: 'slot' });
  const cats = h('div', { class: 'slot' });
  const sev = h('div', { class: 'slot' });
  const chart = h('div', { class: 'slot' });
  const failing = h('div', { class: 'slot' });
  const accounts = h('div', { class: 'slot' });
  const groups = h('div', { class: 'slot' });
  add(root, 
    top,
    h('div', { class: 'grid two' },
      section('By category', { id: 'by-category' }, cats),
      section('Open violations by severity', { id: 'by-severity' }, sev)),
    section('Trend', { id: 'trend', actions: field('Period', period) }, chart),
    section('Top failing policies', { id: 'top-policies' }, failing),
    h('div', { class: 'grid two' },
      section('Most affected accounts', { id: 'top-accounts' }, accounts),
      section('Most affected groups', { id: 'top-groups' }, groups)),
  );
  const where = { route: '/compliance/summary' };
  const summary = api('/compliance/summary', { query: { group: group || undefined }, signal });
  await Promise.all([
    fill(top, summary, (s) => overview(s, view), where),
    fill(cats, summary, categories, where),
    fill(failing, summary, (s) => policies(s, view), where),
    fill(sev, summary.then((s) => severities(s, view)), (node) => node, where),
    fill(chart, api('/compliance/trend', { query: { scope: group ? `group:${group}` : 'all', days }, signal }), trend, { route: '/compliance/trend' }),
    breakdownInto(accounts, 'account_id', view),
    breakdownInto(groups, 'group', view),
  ]);
}
