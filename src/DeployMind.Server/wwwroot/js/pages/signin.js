// Sign in by pasting an API token; the server answers with a session cookie (HttpOnly) and a CSRF token.
import { api, ApiError } from '../api.js';
import { h, replace, announce } from '../dom.js';

function safeNext(value) {
  // Only same-site paths: never an absolute or protocol-relative URL from the query string.
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') && !value.startsWith('/signin') ? value : '/';
}

export async function renderSignIn(ctx) {
  document.title = 'Sign in · DeployMind';
  const next = safeNext(ctx.query.get('next'));
  const message = h('div', { id: 'signin-message', 'aria-live': 'assertive' });
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'token-hint signin-message', placeholder: 'dm_…' });
  const button = h('button', { type: 'submit', class: 'button' }, 'Sign in');
  const form = h('form', { class: 'card', novalidate: true, style: 'max-width:32rem' },
    h('div', { class: 'field' },
      h('label', { for: 'token' }, 'API token'),
      input,
      h('p', { id: 'token-hint', class: 'hint' }, 'Create one with ', h('code', null, 'deploymind token create --name NAME --role deployer'), '. It is sent once to start a session and is not stored by the browser.')),
    h('div', { class: 'toolbar', style: 'margin-top:.75rem' }, button),
    message);

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) {
      replace(message, h('p', { class: 'error' }, 'Paste an API token to sign in.'));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    replace(message, h('p', { class: 'hint' }, 'Signing in…'));
    try {
      const result = await api.signIn(token);
      input.value = '';
      ctx.setSession({ name: result.name, role: result.role });
      announce(`Signed in as ${result.name}`);
      ctx.navigate(next, { replace: true });
    } catch (err) {
      input.setAttribute('aria-invalid', 'true');
      const text = err instanceof ApiError && err.status === 401 ? 'That token was not accepted: it is unknown, revoked or mistyped.'
        : err instanceof ApiError && err.status === 429 ? 'Too many failed attempts from this address. Wait a minute and retry.'
        : err.message || 'Sign-in failed.';
      replace(message, h('p', { class: 'error', role: 'alert' }, text));
      button.disabled = false;
      input.focus();
    }
  });

  replace(ctx.main, h('h1', null, 'Sign in to DeployMind'), form);
  input.focus();
}
