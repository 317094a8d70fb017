// An address the dashboard does not know.

import { add, h } from '../dom.js';
import { pageHead } from '../ui.js';

export async function render(view) {
  add(view.root, 
    pageHead('Page not found'),
    h('p', { class: 'state empty' }, 'There is no such page. ', h('a', { href: view.home() }, 'Go to the start page')),
  );
}
