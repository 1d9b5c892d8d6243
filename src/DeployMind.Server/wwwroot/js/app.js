// The dashboard's entry point: a small client-side router over four pages. The server answers
// /, /deployments/{id}, /analytics and /signin with this same index.html.
import { api, ApiError, SignInRequired } from './api.js';
import { h, replace } from './dom.js';
import { renderSignIn } from './pages/signin.js';
import { renderDeployments } from './pages/deployments.js';
import { renderDeployment } from './pages/deployment.js';
import { renderAnalytics } from './pages/analytics.js';

const routes = [
  { pattern: /^\/$/, nav: 'deployments', render: renderDeployments },
  { pattern: /^\/deployments\/?$/, nav: 'deployments', render: renderDeployments },
  { pattern: /^\/deployments\/([^/]+)\/?$/, nav: 'deployments', render: renderDeployment },
  { pattern: /^\/analytics\/?$/, nav: 'analytics', render: renderAnalytics },
  { pattern: /^\/signin\/?$/, nav: null, render: renderSignIn, public: true },
];

const main = document.getElementById('main');
let session = null;
let cleanups = [];
let generation = 0;

export function navigate(url, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route();
}

function leave() {
  for (const fn of cleanups) {
    try { fn(); } catch { /* a page's cleanup must not stop the next page */ }
  }
  cleanups = [];
}

function showUser() {
  const box = document.getElementById('user-box');
  if (session) {
    document.getElementById('user-name').textContent = `${session.name} (${session.role})`;
    box.hidden = false;
  } else {
    box.hidden = true;
  }
}

function markNav(nav) {
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

export function renderError(target, error) {
  const problem = error instanceof ApiError ? error.problem : { title: 'Something went wrong', detail: String(error?.message ?? error) };
  const fields = Object.entries(error?.errors ?? {});
  return replace(target, h('div', { class: 'problem', role: 'alert' },
    h('strong', null, problem.title || 'Error'),
    problem.detail && problem.detail !== problem.title ? h('p', { style: 'margin:.25rem 0 0' }, problem.detail) : null,
    fields.length ? h('ul', null, fields.map(([field, messages]) => h('li', null, `${field}: ${[].concat(messages).join(' ')}`))) : null));
}

async function route() {
  leave();
  const my = ++generation;
  const path = location.pathname;
  const match = routes.map(r => ({ r, m: r.pattern.exec(path) })).find(x => x.m);
  if (!match) {
    markNav(null);
    document.title = 'Not found · DeployMind';
    replace(main, h('h1', null, 'Page not found'), h('p', null, h('a', { href: '/', 'data-link': true }, 'Back to deployments')));
    return;
  }
  const { r, m } = match;
  markNav(r.nav);
  if (!r.public && !session) {
    try {
      session = await api.session();
    } catch (e) {
      if (my !== generation) return;
      if (e instanceof SignInRequired || e.status === 401) {
        navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, { replace: true });
        return;
      }
      renderError(main, e);
      return;
    }
    if (my !== generation) return;
  }
  showUser();
  const ctx = {
    main,
    params: m.slice(1).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
    session,
    navigate,
    onLeave: fn => cleanups.push(fn),
    isCurrent: () => my === generation,
    setSession: value => { session = value; showUser(); },
  };
  try {
    replace(main, h('p', { class: 'loading' }, 'Loading…'));
    await r.render(ctx);
  } catch (e) {
    if (my !== generation) return;
    if (e instanceof SignInRequired) {
      session = null;
      showUser();
      navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, { replace: true });
      return;
    }
    renderError(main, e);
  }
}

// Same-origin links marked data-link navigate without a page load.
document.addEventListener('click', e => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
});

window.addEventListener('popstate', route);

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api.signOut(); } catch { /* signed out locally either way */ }
  session = null;
  showUser();
  navigate('/signin', { replace: true });
});

route();
