// The deployments list: filters (in the URL, so a filtered view can be bookmarked), cursor paging,
// status badges, and the trigger form for deployer and admin roles.
import { api, ApiError, canDeploy } from '../api.js';
import { h, replace, announce } from '../dom.js';
import { STATUSES, ENVIRONMENTS, STRATEGIES, TRIGGER_TYPES, statusKind, statusText, duration, elapsed, dateTime, compactDateTime, shortSha, isTerminal } from '../format.js';
import { renderError } from '../app.js';

const FILTERS = ['status', 'repository', 'environment', 'strategy', 'triggerType'];
const PAGE_SIZE = 25;
/** Cursors of the pages before the current one, so "Newer" can go back without the server paging backwards. */
let cursorTrail = [];

export function statusBadge(status, attrs = {}) {
  return h('span', { class: `badge badge-${statusKind(status)}`, 'data-status': status, ...attrs }, statusText(status));
}

function select(id, label, values, current, allLabel) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name: id },
      h('option', { value: '' }, allLabel),
      values.map(v => h('option', { value: v, selected: v === current }, v.replaceAll('_', ' ')))));
}

function filterForm(ctx) {
  const q = ctx.query;
  const form = h('form', { role: 'search', 'aria-label': 'Filter deployments' },
    h('div', { class: 'form-grid' },
      select('status', 'Status', STATUSES, q.get('status'), 'Any status'),
      h('div', { class: 'field' },
        h('label', { for: 'repository' }, 'Repository'),
        h('input', { id: 'repository', name: 'repository', type: 'text', value: q.get('repository') ?? '', placeholder: 'owner/repo', autocomplete: 'off' })),
      select('environment', 'Environment', ENVIRONMENTS, q.get('environment'), 'Any environment'),
      select('strategy', 'Strategy', STRATEGIES, q.get('strategy'), 'Any strategy'),
      select('triggerType', 'Trigger', TRIGGER_TYPES, q.get('triggerType'), 'Any trigger'),
      h('div', { class: 'toolbar' },
        h('button', { type: 'submit', class: 'button' }, 'Apply filters'),
        h('button', { type: 'reset', class: 'button button-quiet' }, 'Clear'))));
  const apply = () => {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) params.set(name, v);
    }
    cursorTrail = [];
    const qs = params.toString();
    ctx.navigate(qs ? `/?${qs}` : '/');
  };
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
  form.addEventListener('reset', e => { e.preventDefault(); for (const n of FILTERS) form.elements[n].value = ''; apply(); });
  const active = FILTERS.filter(n => q.get(n)).length;
  // Open on wide screens or when filters are in use; on a phone the list comes first.
  const open = active > 0 || window.matchMedia('(min-width: 701px)').matches;
  return h('details', { class: 'card', id: 'filters', open }, h('summary', null, active ? `Filters (${active} active)` : 'Filters'), form);
}

function triggerForm(ctx) {
  const message = h('div', { 'aria-live': 'polite' });
  const field = (name, label, attrs = {}, hint) => h('div', { class: 'field' },
    h('label', { for: `new-${name}` }, label),
    h('input', { id: `new-${name}`, name, type: 'text', autocomplete: 'off', ...attrs, 'aria-describedby': `new-${name}-error${hint ? ` new-${name}-hint` : ''}` }),
    hint ? h('span', { id: `new-${name}-hint`, class: 'hint' }, hint) : null,
    h('span', { id: `new-${name}-error`, class: 'hint field-error', style: 'color:var(--bad-fg)' }));
  const choose = (name, label, values) => h('div', { class: 'field' },
    h('label', { for: `new-${name}` }, label),
    h('select', { id: `new-${name}`, name }, h('option', { value: '' }, 'From the app config'), values.map(v => h('option', { value: v }, v))));
  const submit = h('button', { type: 'submit', class: 'button', id: 'trigger-deployment' }, 'Deploy');
  const form = h('form', { novalidate: true },
    h('div', { class: 'form-grid' },
      field('app', 'App', {}, 'A configured app name'),
      field('repository', 'Repository', { placeholder: 'owner/repo' }),
      field('path', 'Local path', { placeholder: '/srv/src/app' }),
      field('branch', 'Branch', { placeholder: 'main' }),
      field('commit', 'Commit', { placeholder: 'SHA (optional)' }),
      choose('strategy', 'Strategy', STRATEGIES),
      choose('environment', 'Environment', ENVIRONMENTS)),
    h('div', { class: 'toolbar', style: 'margin-top:.75rem' }, submit),
    message);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const body = {};
    for (const name of ['app', 'repository', 'path', 'branch', 'commit', 'strategy', 'environment']) {
      const v = form.elements[name].value.trim();
      if (v) body[name] = v;
    }
    if (!body.app && !body.repository && !body.path) {
      replace(message, h('p', { class: 'error', role: 'alert' }, 'Name an app, a repository or a local path to deploy.'));
      form.elements.app.focus();
      return;
    }
    submit.disabled = true;
    replace(message, h('p', { class: 'hint' }, 'Queueing…'));
    try {
      const result = await api.post('/deployments', body);
      announce(`Deployment ${result.id} queued`);
      ctx.navigate(`/deployments/${encodeURIComponent(result.id)}`);
    } catch (err) {
      submit.disabled = false;
      if (err instanceof ApiError) {
        let first = null;
        for (const [key, messages] of Object.entries(err.errors)) {
          const name = key.replace(/^\$\.?/, '').split('.').pop().toLowerCase();
          const input = [...form.elements].find(el => el.name && el.name.toLowerCase() === name);
          if (input) {
            input.setAttribute('aria-invalid', 'true');
            form.querySelector(`#new-${input.name}-error`).textContent = [].concat(messages).join(' ');
            first ??= input;
          }
        }
        renderError(message, err);
        first?.focus();
      } else {
        renderError(message, err);
      }
    }
  });
  return h('details', { class: 'card', id: 'new-deployment' }, h('summary', null, 'New deployment'), h('div', { style: 'margin-top:.75rem' }, form));
}

function row(d) {
  const link = h('a', { href: `/deployments/${encodeURIComponent(d.id)}`, 'data-link': true }, d.repository);
  const running = !isTerminal(d.status) && d.startedAt;
  return h('tr', { 'data-id': d.id },
    h('td', { 'data-label': 'Repository' }, h('span', null, link, h('span', { class: 'sub mono' }, d.id))),
    h('td', { 'data-label': 'Status' }, statusBadge(d.status)),
    h('td', { 'data-label': 'Strategy' }, d.strategy ?? '—'),
    h('td', { 'data-label': 'Environment' }, d.environment ?? '—'),
    h('td', { 'data-label': 'Commit' }, h('span', null, h('span', { class: 'mono' }, shortSha(d.commitSha)), d.branch ? h('span', { class: 'sub' }, d.branch) : null)),
    h('td', { 'data-label': 'Trigger' }, h('span', null, d.triggerType ?? '—', d.triggeredBy ? h('span', { class: 'sub' }, d.triggeredBy) : null)),
    h('td', { 'data-label': 'Created' }, h('time', { datetime: d.createdAt ?? '', title: dateTime(d.createdAt) }, compactDateTime(d.createdAt))),
    h('td', { 'data-label': 'Duration', class: 'num' }, running ? `${duration(elapsed(d.startedAt))} so far` : duration(d.durationSeconds)));
}

function table(items) {
  if (!items.length) return h('p', { class: 'empty card' }, 'No deployments match these filters.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'responsive', id: 'deployments-table' },
    h('caption', { class: 'visually-hidden' }, 'Deployments, newest first'),
    h('thead', null, h('tr', null, ['Repository', 'Status', 'Strategy', 'Environment', 'Commit', 'Trigger', 'Created', 'Duration']
      .map(t => h('th', { scope: 'col', class: t === 'Duration' ? 'num' : null }, t)))),
    h('tbody', null, items.map(row))));
}

export async function renderDeployments(ctx) {
  document.title = 'Deployments · DeployMind';
  const query = { limit: PAGE_SIZE };
  for (const name of FILTERS) query[name] = ctx.query.get(name) ?? undefined;
  const cursor = ctx.query.get('cursor');
  if (cursor) query.cursor = cursor;
  else cursorTrail = [];

  const results = h('div', { id: 'deployments-results', 'aria-live': 'polite', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading deployments…'));
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', null, 'Deployments')),
    canDeploy(ctx.session) ? triggerForm(ctx) : null,
    filterForm(ctx),
    results,
    pager);

  const pageUrl = c => {
    const params = new URLSearchParams(ctx.query);
    if (c) params.set('cursor', c); else params.delete('cursor');
    const qs = params.toString();
    return qs ? `/?${qs}` : '/';
  };

  let timer = null;
  ctx.onLeave(() => clearTimeout(timer));
  const load = async quiet => {
    let page;
    try {
      page = await api.get('/deployments', query);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (quiet) return; // a failed background refresh keeps what is shown
      if (err instanceof ApiError && err.status === 401) throw err;
      results.setAttribute('aria-busy', 'false');
      renderError(results, err);
      return;
    }
    if (!ctx.isCurrent()) return;
    results.setAttribute('aria-busy', 'false');
    replace(results, table(page.items ?? []));
    replace(pager,
      cursor ? h('button', { type: 'button', class: 'button button-quiet', onclick: () => {
        const previous = cursorTrail.pop();
        ctx.navigate(pageUrl(previous));
      } }, cursorTrail.length ? 'Newer' : 'Newest') : null,
      page.nextCursor ? h('button', { type: 'button', class: 'button button-quiet', id: 'next-page', onclick: () => {
        cursorTrail.push(cursor);
        ctx.navigate(pageUrl(page.nextCursor));
      } }, 'Older') : null);
    // Keep running deployments' badges current on the first page.
    if (!cursor && (page.items ?? []).some(d => !isTerminal(d.status))) {
      timer = setTimeout(() => load(true).catch(() => {}), 4000);
    }
  };
  await load(false);
}
