// Small SVG charts drawn from API figures (nothing computed here but positions on the screen).
// Every chart has a text alternative; colours come from CSS classes (the CSP forbids inline style).

import { svg, h, pct } from './dom.js';

// A ring showing a percentage (null: an empty ring).
export function ring(value, { size = 104, label = 'Compliance' } = {}) {
  const r = 52;
  const circumference = 2 * Math.PI * r;
  const share = value === null || value === undefined ? 0 : Math.max(0, Math.min(100, value)) / 100;
  return svg('svg', {
    viewBox: '0 0 132 132', width: size, height: size, class: ['ring', tone(value)], role: 'img',
    'aria-label': `${label}: ${pct(value)}`,
  },
  svg('circle', { cx: 66, cy: 66, r, class: 'ring-track' }),
  svg('circle', {
    cx: 66, cy: 66, r, class: 'ring-value', transform: 'rotate(-90 66 66)',
    'stroke-dasharray': `${(share * circumference).toFixed(2)} ${circumference.toFixed(2)}`,
  }));
}

// "good" / "fair" / "poor" colour of a percentage (presentation only).
export function tone(value) {
  if (value === null || value === undefined) return 'tone-none';
  if (value >= 90) return 'tone-good';
  if (value >= 70) return 'tone-fair';
  return 'tone-poor';
}

// A thin horizontal bar for a percentage.
export function meter(value, label) {
  const width = value === null || value === undefined ? 0 : Math.max(0, Math.min(100, value));
  return svg('svg', {
    viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: ['meter', tone(value)],
    role: 'img', 'aria-label': `${label}: ${pct(value)}`,
  },
  svg('rect', { x: 0, y: 0, width: 100, height: 8, rx: 4, class: 'meter-track' }),
  svg('rect', { x: 0, y: 0, width, height: 8, rx: 4, class: 'meter-value' }));
}

// A line chart of daily percentages: points [{day, value}], oldest first.
export function trendChart(points, { title = 'Overall compliance by day' } = {}) {
  const W = 720; const H = 240;
  const pad = { left: 44, right: 16, top: 16, bottom: 36 };
  const innerW = W - pad.left - pad.right;
  const innerH = H - pad.top - pad.bottom;
  const known = points.filter((p) => p.value !== null && p.value !== undefined);
  const low = known.length ? Math.min(...known.map((p) => p.value)) : 0;
  const floor = known.length && low > 20 ? Math.min(80, Math.max(0, Math.floor((low - 5) / 10) * 10)) : 0;
  const y = (v) => pad.top + innerH - ((v - floor) / (100 - floor)) * innerH;
  const x = (i) => pad.left + (points.length === 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const grid = [];
  for (let v = floor; v <= 100; v += (100 - floor) / 4) {
    grid.push(svg('line', { x1: pad.left, x2: W - pad.right, y1: y(v), y2: y(v), class: 'grid' }));
    grid.push(svg('text', { x: pad.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, `${Math.round(v)}%`));
  }
  let d = '';
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  const area = d && known.length > 1
    ? `${d}L${x(points.lastIndexOf(known.at(-1))).toFixed(1)},${y(floor)}L${x(points.indexOf(known[0])).toFixed(1)},${y(floor)}Z`
    : '';
  const every = Math.max(1, Math.ceil(points.length / 8));
  const labels = points.map((p, i) => (i % every === 0 || i === points.length - 1
    ? svg('text', { x: x(i), y: H - 12, 'text-anchor': 'middle', class: 'axis' }, p.day.slice(5)) : null));
  const dots = points.map((p, i) => (p.value === null || p.value === undefined ? null
    : svg('circle', { cx: x(i), cy: y(p.value), r: 4, class: 'dot', dataset: { day: p.day, value: p.value } },
      svg('title', {}, `${p.day}: ${pct(p.value)}`))));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend', role: 'img', 'aria-label': `${title}: ${describe(points)}` },
    ...grid,
    area ? svg('path', { d: area, class: 'area' }) : null,
    d ? svg('path', { d, class: 'line' }) : null,
    ...dots, ...labels);
}

function describe(points) {
  const known = points.filter((p) => p.value !== null && p.value !== undefined);
  if (!known.length) return 'no figures';
  const first = known[0]; const last = known.at(-1);
  return `${pct(first.value)} on ${first.day}, ${pct(last.value)} on ${last.day}`;
}

// Stacked counts (e.g. open violations by severity) as one bar with a legend.
export function stack(parts, { label = 'Open violations by severity' } = {}) {
  const total = parts.reduce((sum, p) => sum + (p.value || 0), 0);
  let offset = 0;
  const rects = parts.map((p) => {
    const width = total ? (100 * (p.value || 0)) / total : 0;
    const rect = svg('rect', { x: offset, y: 0, width, height: 10, class: `seg seg-${p.key}` });
    offset += width;
    return rect;
  });
  return h('div', { class: 'stack' },
    svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'stack-bar', role: 'img', 'aria-label': `${label}: ${parts.map((p) => `${p.value} ${p.key}`).join(', ')}` },
      svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'seg-track' }), ...rects));
}
