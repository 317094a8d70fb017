// Building DOM without markup strings: every text from the API goes in as a text node, so a
// name or reason holding "<script>" stays text; no markup string is ever parsed.

const SVG_NS = 'http://www.w3.org/2000/svg'; // an XML namespace name, never fetched

const PROPERTIES = new Set([
  'id', 'type', 'value', 'name', 'href', 'htmlFor', 'disabled', 'hidden', 'checked',
  'selected', 'placeholder', 'required', 'min', 'max', 'step', 'rows', 'title', 'tabIndex',
  'multiple', 'open', 'autocomplete', 'spellcheck', 'maxLength', 'readOnly',
]);

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

// h('a', {href: '#/', class: 'x', dataset: {value: 1}, aria: {label: 'y'}, on: {click}}, 'text')
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) { if (v !== undefined) node.dataset[k] = String(v); }
    else if (key === 'aria') for (const [k, v] of Object.entries(value)) { if (v !== undefined && v !== null) node.setAttribute(`aria-${k}`, String(v)); }
    else if (key === 'on') for (const [k, v] of Object.entries(value)) node.addEventListener(k, v);
    else if (key === 'attrs') for (const [k, v] of Object.entries(value)) { if (v !== undefined && v !== null) node.setAttribute(k, String(v)); }
    else if (PROPERTIES.has(key)) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

// SVG elements; attributes are set as attributes (never a style attribute: the CSP forbids it).
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'dataset') for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

// node.append() would show a null child as the text "null": children go in through here.
export function add(node, ...children) {
  append(node, children);
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function replace(node, ...children) {
  clear(node);
  append(node, children);
  return node;
}

// --- formatting (the API's values, for people; the raw value stays in data-value)

const COUNT = new Intl.NumberFormat('en-US');

export function pct(value) {
  return value === null || value === undefined ? 'n/a' : `${Number(value).toFixed(1)}%`;
}

export function count(value) {
  return value === null || value === undefined ? 'n/a' : COUNT.format(value);
}

function pad(n) { return String(n).padStart(2, '0'); }

// "2026-11-28 14:05 UTC": one zone for everyone, so screenshots and tests read the same text.
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function day(iso) {
  if (!iso) return '—';
  return String(iso).slice(0, 10);
}

export function label(text) {
  const s = String(text ?? '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// A figure from the API: shown formatted, with the raw value in data-value for comparison.
export function figure(name, value, format = count, tag = 'span') {
  return h(tag, {
    class: 'figure',
    dataset: { figure: name, value: value === null || value === undefined ? 'null' : value },
  }, format(value));
}
