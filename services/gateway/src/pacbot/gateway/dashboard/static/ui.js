// Shared pieces of every page: headings, loading / empty / error states, tables with sortable
// headers, badges, description lists, form fields, the pager and confirmation dialogs.

import { h, replace, count, label } from './dom.js';
import { ApiError } from './api.js';
import { needs, state } from './state.js';

let announcerTimer = null;

// Said by screen readers (and shown nowhere else): results of actions, page loads.
export function announce(text) {
  const node = document.getElementById('announcer');
  if (!node) return;
  node.textContent = '';
  clearTimeout(announcerTimer);
  announcerTimer = setTimeout(() => { node.textContent = text; }, 50);
}

export function pageHead(title, { kicker, subtitle, actions } = {}) {
  return h('header', { class: 'page-head' },
    h('div', { class: 'page-titles' },
      kicker ? h('p', { class: 'kicker' }, kicker) : null,
      h('h1', { tabIndex: -1, class: 'page-title' }, title),
      subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions ? h('div', { class: 'page-actions' }, actions) : null);
}

let sectionIds = 0;
export function section(title, { id, className, actions, note } = {}, ...children) {
  const headingId = id || `section-${++sectionIds}`;
  return h('section', { class: ['panel', className], aria: { labelledby: headingId } },
    h('div', { class: 'panel-head' },
      h('h2', { id: headingId }, title),
      actions ? h('div', { class: 'panel-actions' }, actions) : null),
    note ? h('p', { class: 'panel-note' }, note) : null,
    ...children);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'state loading', role: 'status' }, h('span', { class: 'spinner', aria: { hidden: 'true' } }), text);
}

export function empty(text) {
  return h('p', { class: 'state empty' }, text);
}

// What went wrong, for people: 403 names the roles the route needs.
export function explain(error, { method, route } = {}) {
  if (!(error instanceof ApiError)) return `Something went wrong in the dashboard: ${error.message}`;
  if (error.status === 403) {
    const wanted = route ? needs(method || 'GET', route) : '';
    const held = state.me ? state.me.roles.join(', ') : '';
    const head = wanted ? `This needs the ${wanted} role` : 'Your roles do not allow this';
    return `${head}${held ? ` (you hold ${held})` : ''}. ${error.message}`;
  }
  if (error.status === 429) {
    return `Too many requests: try again in ${error.retryAfter || 'a few'} seconds. ${error.message}`;
  }
  if (error.status === 0) return error.message;
  return `${error.problem.title || 'Error'} (${error.status}): ${error.message}`;
}

export function errorBox(error, where = {}) {
  const box = h('div', { class: 'state error', role: 'alert' }, explain(error, where));
  box.dataset.status = error instanceof ApiError ? error.status : 'script';
  return box;
}

// Show a loading state in `slot`, then what `draw(data)` returns, or the error.
export async function fill(slot, promise, draw, where = {}) {
  replace(slot, loading());
  try {
    const data = await promise;
    replace(slot, draw(data));
    return data;
  } catch (error) {
    if (error.name === 'AbortError') return undefined;
    replace(slot, errorBox(error, where));
    return undefined;
  }
}

export function badge(kind, value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  return h('span', { class: ['badge', `${kind}-${String(value).replace(/[^a-z0-9_-]/gi, '')}`], dataset: { [kind]: value } }, label(value));
}

export function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [
    h('dt', {}, term), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value),
  ]));
}

// columns: [{key, label, sort (the API's sort field, if sortable), numeric, cell(row)}]
// sort: {field, order, onSort(field)} - the header of the sorted column carries aria-sort.
export function table({ caption, columns, rows, sort, rowProps, captionHidden = false }) {
  const head = h('tr', {}, columns.map((col) => {
    const sorted = sort && col.sort && sort.field === col.sort;
    const ariaSort = col.sort && sort ? (sorted ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none') : undefined;
    const content = col.sort && sort
      ? h('button', { type: 'button', class: 'sort', on: { click: () => sort.onSort(col.sort) } },
        col.label, h('span', { class: 'sort-mark', aria: { hidden: 'true' } }, sorted ? (sort.order === 'asc' ? '▲' : '▼') : '↕'))
      : col.label;
    return h('th', { scope: 'col', class: col.numeric ? 'num' : null, aria: { sort: ariaSort } }, content);
  }));
  const body = h('tbody', {}, rows.map((row) => h('tr', rowProps ? rowProps(row) : {}, columns.map((col, i) => {
    const cell = col.cell ? col.cell(row) : row[col.key];
    const tag = i === 0 && col.rowHeader !== false ? 'th' : 'td';
    return h(tag, { scope: tag === 'th' ? 'row' : null, class: col.numeric ? 'num' : null }, cell ?? '—');
  }))));
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', { class: captionHidden ? 'visually-hidden' : null }, caption) : null,
      h('thead', {}, head), body));
}

// A <label> + control pair; `control` gets the id.
let fieldIds = 0;
export function field(text, control, hint) {
  const id = control.id || `field-${++fieldIds}`;
  control.id = id;
  const hintNode = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { htmlFor: id }, text), control, hintNode);
}

// options: [[value, text], ...]; `value` may be a list (multiple).
export function select(name, options, value) {
  const chosen = Array.isArray(value) ? value : [value ?? ''];
  return h('select', { name }, options.map(([v, text]) => h('option', { value: v, selected: chosen.includes(v) }, text)));
}

export function input(name, value = '', props = {}) {
  return h('input', { name, value: value ?? '', type: 'text', ...props });
}

export function totalLine(total, noun, shown, nouns = `${noun}s`) {
  const plural = total === 1 ? noun : nouns;
  return h('p', { class: 'results-line', id: 'results', tabIndex: -1, role: 'status' },
    h('span', { class: 'figure', dataset: { figure: 'total', value: total ?? 'null' } }, count(total)), ` ${plural}`,
    shown !== undefined ? ` · showing ${count(shown)}` : '');
}

// The pager of a cursor-paged list: "First page" and "Next page" (next_cursor from the API).
export function pager({ nextCursor, onNext, onFirst, onFirstHref, nextHref, isFirst }) {
  if (isFirst && !nextCursor) return null;
  return h('nav', { class: 'pager', aria: { label: 'Pages' } },
    isFirst ? null : (onFirstHref ? h('a', { class: 'button secondary', href: onFirstHref }, 'First page')
      : h('button', { type: 'button', class: 'button secondary', on: { click: onFirst } }, 'First page')),
    nextCursor ? (nextHref ? h('a', { class: 'button secondary', href: nextHref, rel: 'next' }, 'Next page')
      : h('button', { type: 'button', class: 'button secondary', on: { click: onNext } }, 'Next page'))
      : h('span', { class: 'muted' }, 'Last page'));
}

// A modal dialog asking for a text (a reason); resolves to the text, or null when cancelled.
export function ask({ title, fieldLabel, confirm, required = true, hint, initial = '' }) {
  return new Promise((resolve) => {
    const area = h('textarea', { name: 'text', rows: 3, required, value: initial });
    const problem = h('p', { class: 'form-error', role: 'alert' });
    const dialog = h('dialog', { class: 'dialog', aria: { labelledby: 'dialog-title' } });
    const close = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    const form = h('form', {
      method: 'dialog',
      on: {
        submit: (event) => {
          event.preventDefault();
          const text = area.value.trim();
          if (required && !text) { problem.textContent = `${fieldLabel} is required.`; area.focus(); return; }
          close(text);
        },
      },
    },
    h('h2', { id: 'dialog-title' }, title),
    field(fieldLabel, area, hint),
    problem,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button secondary', on: { click: () => close(null) } }, 'Cancel'),
      h('button', { type: 'submit', class: 'button primary' }, confirm)));
    dialog.append(form);
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    document.body.append(dialog);
    dialog.showModal();
    area.focus();
  });
}

// Run an action button's call: busy while it runs, the outcome in a live region.
export async function act(button, outcome, call, { success, where } = {}) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  replace(outcome, loading('Working…'));
  try {
    const result = await call();
    const message = success ? success(result) : 'Done.';
    replace(outcome, h('div', { class: 'state ok', role: 'status' }, message));
    announce(typeof message === 'string' ? message : outcome.textContent);
    return result;
  } catch (error) {
    replace(outcome, errorBox(error, where));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function json(value) {
  return h('pre', { class: 'code' }, JSON.stringify(value, null, 2));
}
