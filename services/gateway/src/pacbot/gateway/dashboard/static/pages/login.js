// Sign in: an API key becomes a browser session (HttpOnly cookie + CSRF token).

import { ApiError } from '../api.js';
import { add, h, replace } from '../dom.js';
import { go } from '../router.js';
import { home, signIn } from '../main.js';
import { announce, pageHead } from '../ui.js';
import { state } from '../state.js';

let pending = null;

// A key from a "#/login?key=" link, already removed from the address bar.
export function pendingKey(key) {
  pending = key;
}

function refusal(error) {
  if (!(error instanceof ApiError)) return `Signing in failed: ${error.message}`;
  if (error.status === 401) return `The API key was refused: ${error.message}`;
  if (error.status === 429) {
    return `Too many sign-in attempts: try again in ${error.retryAfter || 'a few'} seconds.`;
  }
  if (error.status === 422) return 'Enter an API key (it starts with pbk_).';
  if (error.status === 0) return error.message;
  return `Signing in failed (${error.status}): ${error.message}`;
}

function destination(query) {
  const next = query.get('next') || '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? `#${next}` : home();
}

export async function render(view) {
  const { root, query } = view;
  const message = h('div', { class: 'login-message', aria: { live: 'polite' } });
  const keyInput = h('input', {
    type: 'password', name: 'api_key', autocomplete: 'off', spellcheck: false, required: true,
    id: 'api-key', placeholder: 'pbk_…', dataset: { autofocus: '' },
  });
  const button = h('button', { type: 'submit', class: 'button primary' }, 'Sign in');

  async function attempt(key) {
    button.disabled = true;
    replace(message, h('p', { class: 'state loading', role: 'status' }, 'Signing in…'));
    try {
      await signIn(key);
      announce(`Signed in as ${state.me.subject}`);
      go(destination(query), { replace: true });
    } catch (error) {
      replace(message, h('p', { class: 'state error', role: 'alert' }, refusal(error)));
      keyInput.focus();
    } finally {
      button.disabled = false;
    }
  }

  const form = h('form', {
    class: 'login-form',
    on: {
      submit: (event) => {
        event.preventDefault();
        const key = keyInput.value.trim();
        if (!key) {
          replace(message, h('p', { class: 'state error', role: 'alert' }, 'Enter an API key (it starts with pbk_).'));
          keyInput.focus();
          return;
        }
        attempt(key);
      },
    },
  },
  h('div', { class: 'field' },
    h('label', { htmlFor: 'api-key' }, 'API key'),
    keyInput,
    h('span', { class: 'hint', id: 'api-key-hint' }, 'Your PacBot API key (pbk_…). Ask an admin for one: pacbot-gateway admin create-key.')),
  button,
  message);
  keyInput.setAttribute('aria-describedby', 'api-key-hint');

  if (query.get('signed_out')) replace(message, h('p', { class: 'state ok', role: 'status' }, 'You are signed out.'));
  else if (query.get('expired')) replace(message, h('p', { class: 'state error', role: 'alert' }, 'Your session ended: sign in again.'));

  add(root, h('div', { class: 'login' },
    h('div', { class: 'login-card' },
      pageHead('Sign in', { subtitle: 'PacBot compliance dashboard' }),
      form)));

  if (pending) {
    const key = pending;
    pending = null;
    await attempt(key);
  } else if (state.me) {
    replace(message, h('p', { class: 'state ok', role: 'status' }, `You are signed in as ${state.me.subject}. `,
      h('a', { href: home() }, 'Go to the dashboard')));
  }
}
