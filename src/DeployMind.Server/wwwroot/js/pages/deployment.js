// One deployment: status, actions, stage timeline, live logs (Server-Sent Events), security findings by
// severity with the agent's decision, build details, health checks over time, agent executions and cost.
import { api, ApiError, canDeploy, isAdmin, SignInRequired } from '../api.js';
import { h, replace, announce } from '../dom.js';
import { lineChart } from '../charts.js';
import { statusBadge } from './deployments.js';
import { renderError } from '../app.js';
import {
  SEVERITIES, isTerminal, statusText, duration, elapsed, dateTime, time, bytes, usd, integer, percent, shortSha, yesNo,
} from '../format.js';

const DEFAULT_STAGES = ['source', 'security', 'build', 'deploy', 'verify'];
const MAX_LOG_LINES = 5000;
const FAILED = new Set(['security_failed', 'build_failed', 'failed', 'rolled_back', 'rolling_back']);

/** First defined of several property spellings (the API is camelCase; stored JSON documents are snake_case). */
const pick = (o, ...names) => {
  if (!o) return undefined;
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
};

const card = (id, title, ...children) => h('section', { class: 'card', id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

// ---------- header and actions ----------

function actionBar(ctx, d, reload) {
  if (!canDeploy(ctx.session)) return null;
  const message = h('div', { 'aria-live': 'polite', class: 'action-message' });
  const act = async (button, label, fn) => {
    button.disabled = true;
    replace(message, h('p', { class: 'hint' }, `${label}…`));
    try {
      await fn();
    } catch (err) {
      if (err instanceof SignInRequired) throw err;
      renderError(message, err);
      button.disabled = false;
    }
  };
  const buttons = [];
  if (!isTerminal(d.status)) {
    const cancel = h('button', { type: 'button', class: 'button button-danger', id: 'cancel-deployment' }, 'Cancel deployment');
    cancel.addEventListener('click', () => act(cancel, 'Cancelling', async () => {
      await api.post(`/deployments/${encodeURIComponent(d.id)}/cancel`);
      replace(message, h('p', { class: 'notice' }, 'Cancellation requested; the worker stops at its next check.'));
      announce('Cancellation requested');
      reload();
    }));
    buttons.push(cancel);
  }
  if (d.status === 'deployed') {
    const rollback = h('button', { type: 'button', class: 'button button-quiet', id: 'rollback-deployment' }, 'Roll back');
    rollback.addEventListener('click', () => act(rollback, 'Starting the rollback', async () => {
      if (!window.confirm(`Roll back ${d.repository} to the deployment before ${d.id}?`)) { rollback.disabled = false; replace(message); return; }
      const result = await api.post(`/deployments/${encodeURIComponent(d.id)}/rollback`);
      announce('Rollback queued');
      if (result?.id && result.id !== d.id) ctx.navigate(`/deployments/${encodeURIComponent(result.id)}`);
      else reload();
    }));
    buttons.push(rollback);
  }
  const redeploy = h('button', { type: 'button', class: 'button button-quiet', id: 'redeploy' }, 'Deploy this commit again');
  redeploy.addEventListener('click', () => act(redeploy, 'Queueing', async () => {
    const body = { commit: d.commitSha };
    if (d.app) body.app = d.app; else body.repository = d.repository;
    if (d.branch) body.branch = d.branch;
    if (d.strategy) body.strategy = d.strategy;
    if (d.environment) body.environment = d.environment;
    const result = await api.post('/deployments', body);
    announce(`Deployment ${result.id} queued`);
    ctx.navigate(`/deployments/${encodeURIComponent(result.id)}`);
  }));
  buttons.push(redeploy);
  if (isAdmin(ctx.session) && isTerminal(d.status)) {
    const del = h('button', { type: 'button', class: 'button button-danger', id: 'delete-deployment' }, 'Delete records');
    del.addEventListener('click', () => act(del, 'Deleting', async () => {
      if (!window.confirm(`Delete ${d.id} and all its scans, builds, health checks, logs and agent runs? This cannot be undone.`)) { del.disabled = false; replace(message); return; }
      await api.del(`/deployments/${encodeURIComponent(d.id)}`);
      announce('Deployment deleted');
      ctx.navigate('/');
    }));
    buttons.push(del);
  }
  return h('div', { class: 'card', id: 'actions' }, h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Actions' }, buttons), message);
}

function overview(d) {
  const failure = pick(d.metadata, 'failure');
  const running = !isTerminal(d.status) && d.startedAt;
  return card('overview', 'Overview', facts([
    ['ID', h('span', { class: 'mono' }, d.id)],
    ['Repository', d.repository],
    d.app ? ['App', d.app] : [],
    ['Commit', h('span', { class: 'mono', title: d.commitSha ?? '' }, shortSha(d.commitSha))],
    ['Branch', d.branch],
    ['Strategy', d.strategy],
    ['Environment', d.environment],
    ['Trigger', `${d.triggerType ?? '—'}${d.triggeredBy ? ` by ${d.triggeredBy}` : ''}`],
    ['Created', dateTime(d.createdAt)],
    ['Started', d.startedAt ? dateTime(d.startedAt) : 'not yet'],
    ['Completed', d.completedAt ? dateTime(d.completedAt) : null],
    ['Duration', running ? `${duration(elapsed(d.startedAt))} so far` : duration(d.durationSeconds)],
    ['Image', d.imageTag],
    ['Previous deployment', d.previousDeploymentId ? h('a', { href: `/deployments/${encodeURIComponent(d.previousDeploymentId)}`, 'data-link': true }, d.previousDeploymentId) : null],
    ['Rollback reason', d.rollbackReason],
    ['Failure', failure ? `${failure.stage ? `${failure.stage} stage: ` : ''}${failure.reason ?? ''}` : null],
  ].filter(p => p.length)));
}

// ---------- stage timeline ----------

function timeline(d, stages) {
  const planned = Array.isArray(pick(d.metadata, 'stages')) ? d.metadata.stages.map(String) : DEFAULT_STAGES;
  const byName = new Map(stages.map(s => [s.stage, s]));
  const names = [...planned, ...stages.map(s => s.stage).filter(n => !planned.includes(n))];
  const t0 = Date.parse(d.startedAt ?? d.createdAt);
  const tEnd = d.completedAt ? Date.parse(d.completedAt) : Date.now();
  const span = Math.max(1, tEnd - t0);
  let runningShown = false;
  const items = names.map(name => {
    const s = byName.get(name);
    let state, mark, label;
    if (s && s.completedAt) {
      state = s.success ? 'ok' : 'bad'; mark = s.success ? '✓' : '✕'; label = s.success ? 'completed' : 'failed';
    } else if (s || (!isTerminal(d.status) && d.status !== 'pending' && !runningShown)) {
      state = isTerminal(d.status) ? 'bad' : 'run'; mark = isTerminal(d.status) ? '✕' : '…'; label = isTerminal(d.status) ? 'stopped' : 'running';
      runningShown = true;
    } else {
      state = 'idle'; mark = ''; label = isTerminal(d.status) ? 'not run' : 'waiting';
    }
    const start = s?.startedAt ? Date.parse(s.startedAt) : null;
    const end = s?.completedAt ? Date.parse(s.completedAt) : start ? Date.now() : null;
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const left = start ? clamp(((start - t0) / span) * 100, 0, 99.5) : 0;
    const width = start ? clamp(((end - start) / span) * 100, 0.5, 100 - left) : 0;
    const bar = h('div', { class: 'bar-track', 'aria-hidden': 'true' },
      start ? h('div', { class: `bar-fill${state === 'bad' ? ' bad' : ''}`, style: `left:${left.toFixed(2)}%;width:${width.toFixed(2)}%` }) : null);
    const secs = s?.durationSeconds ?? (start ? (end - start) / 1000 : null);
    return h('li', { 'data-stage': name, 'data-state': state },
      h('span', { class: `mark mark-${state}`, 'aria-hidden': 'true' }, mark),
      h('span', null, h('strong', null, name), h('span', { class: 'visually-hidden' }, `: ${label}`), secs !== null ? h('span', { class: 'sub', style: 'display:block;color:var(--muted);font-size:.85rem' }, `${label}, ${duration(secs)}`) : h('span', { class: 'sub', style: 'display:block;color:var(--muted);font-size:.85rem', 'aria-hidden': 'true' }, label)),
      bar,
      s?.error ? h('span', { class: 'stage-detail' }, s.error) : null);
  });
  return card('timeline', 'Stage timeline', h('ol', { class: 'timeline' }, items));
}

// ---------- security ----------

function findingItem(f, scanType) {
  const sev = String(pick(f, 'severity') ?? 'UNKNOWN').toUpperCase();
  const pkg = pick(f, 'package');
  const version = pick(f, 'version', 'installed_version', 'installedVersion');
  const fixed = pick(f, 'fixed_version', 'fixedVersion');
  const file = pick(f, 'file', 'file_path', 'filePath');
  const line = pick(f, 'line');
  const waived = pick(f, 'waived');
  return h('li', { 'data-severity': sev },
    h('strong', null, pick(f, 'cve', 'id', 'rule') ?? 'finding'), ' ',
    pick(f, 'title') && pick(f, 'title') !== pick(f, 'cve', 'id') ? h('span', null, pick(f, 'title')) : null,
    h('span', { class: 'sub' }, [
      scanType,
      pkg ? `${pkg}${version ? ` ${version}` : ''}${fixed ? ` → fixed in ${fixed}` : ''}` : null,
      file ? `${file}${line ? `:${line}` : ''}` : null,
    ].filter(Boolean).join(' · ')),
    waived ? h('span', { class: 'sub' }, `waived (${waived})${pick(f, 'waived_why', 'waivedWhy') ? `: ${pick(f, 'waived_why', 'waivedWhy')}` : ''}`) : null);
}

function decisionBadge(decision) {
  if (!decision) return null;
  const kind = decision === 'approve' ? 'ok' : decision === 'warn' ? 'warn' : decision === 'reject' ? 'bad' : 'idle';
  return h('span', { class: `badge badge-${kind}` }, decision);
}

function security(scans, decision) {
  if (!scans.length && !decision) {
    return card('security', 'Security', h('p', { class: 'empty' }, 'No security scan has been recorded yet.'));
  }
  const groups = new Map(SEVERITIES.map(s => [s, []]));
  const totals = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const scan of scans) {
    totals.CRITICAL += Number(pick(scan, 'criticalCount') ?? 0);
    totals.HIGH += Number(pick(scan, 'highCount') ?? 0);
    totals.MEDIUM += Number(pick(scan, 'mediumCount') ?? 0);
    totals.LOW += Number(pick(scan, 'lowCount') ?? 0);
    for (const f of pick(scan, 'vulnerabilities', 'findings') ?? []) {
      const sev = String(pick(f, 'severity') ?? 'UNKNOWN').toUpperCase();
      (groups.get(sev) ?? groups.get('UNKNOWN')).push(findingItem(f, pick(scan, 'scanType')));
    }
  }
  const verdict = pick(decision, 'verdict', 'decision');
  const reasoning = pick(decision, 'reasoning');
  const severityGroups = [...groups.entries()].filter(([, items]) => items.length).map(([sev, items]) =>
    h('details', { class: 'sev-group', open: sev === 'CRITICAL' || sev === 'HIGH', 'data-severity': sev },
      h('summary', null, h('span', { class: `sev sev-${sev}` }, sev), `${items.length} finding${items.length === 1 ? '' : 's'}`),
      h('ul', { class: 'findings' }, items)));
  const scanRows = scans.map(scan => h('tr', null,
    h('td', { 'data-label': 'Scan' }, h('span', null, pick(scan, 'scanType') ?? '—', h('span', { class: 'sub' }, `${pick(scan, 'scannerName') ?? ''} ${pick(scan, 'scannerVersion') ?? ''}`.trim()))),
    h('td', { 'data-label': 'Result' }, h('span', { class: `badge badge-${pick(scan, 'passed') ? 'ok' : 'bad'}` }, pick(scan, 'passed') ? 'passed' : 'failed')),
    h('td', { 'data-label': 'C / H / M / L', class: 'num' }, `${pick(scan, 'criticalCount') ?? 0} / ${pick(scan, 'highCount') ?? 0} / ${pick(scan, 'mediumCount') ?? 0} / ${pick(scan, 'lowCount') ?? 0}`),
    h('td', { 'data-label': 'Decision' }, decisionBadge(pick(scan, 'agentDecision'))),
    h('td', { 'data-label': 'Reasoning' }, h('span', { style: 'white-space:pre-wrap' }, pick(scan, 'agentReasoning') ?? ''),
      pick(scan, 'recommendations') ? h('span', { class: 'sub', style: 'white-space:pre-wrap' }, pick(scan, 'recommendations')) : null)));
  return card('security', 'Security',
    verdict || reasoning ? h('div', { id: 'security-decision' },
      h('p', { style: 'margin:0' }, h('strong', null, 'Agent decision: '), decisionBadge(verdict) ?? 'none'),
      reasoning ? h('div', { class: 'decision' }, reasoning) : null) : null,
    h('p', { class: 'toolbar' }, SEVERITIES.slice(0, 4).map(sev => h('span', null, h('span', { class: `sev sev-${sev}` }, `${sev} ${totals[sev]}`), ' '))),
    severityGroups.length ? h('div', { id: 'findings' }, severityGroups) : h('p', { class: 'empty' }, 'No findings.'),
    scans.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'responsive' },
      h('caption', null, 'Scans'),
      h('thead', null, h('tr', null, ['Scan', 'Result', 'C / H / M / L', 'Decision', 'Reasoning'].map((t, i) => h('th', { scope: 'col', class: i === 2 ? 'num' : null }, t)))),
      h('tbody', null, scanRows))) : null);
}

// ---------- build ----------

function build(b) {
  if (Array.isArray(b)) b = b[b.length - 1];
  if (!b) return card('build', 'Build', h('p', { class: 'empty' }, 'No image has been built yet.'));
  const optimizations = pick(b, 'optimizationsApplied') ?? [];
  return card('build', 'Build', facts([
    ['Result', h('span', { class: `badge badge-${pick(b, 'success') ? 'ok' : 'bad'}` }, pick(b, 'success') ? 'built' : 'failed')],
    ['Language', pick(b, 'detectedLanguage') ?? '—'],
    ['Framework', pick(b, 'detectedFramework') ?? '—'],
    ['Image size', bytes(pick(b, 'imageSizeBytes'))],
    ['Layers', pick(b, 'layerCount')],
    ['Image', pick(b, 'imageTag')],
    ['Dockerfile', pick(b, 'dockerfilePath') ? `${pick(b, 'dockerfilePath')}${pick(b, 'dockerfileGenerated') ? ' (generated)' : ''}` : null],
    ['Build time', duration(pick(b, 'buildDurationSeconds'))],
    ['Optimization', optimizations.length ? optimizations.join(', ') : 'none applied'],
    pick(b, 'originalSizeBytes') ? ['Size before → after', `${bytes(pick(b, 'originalSizeBytes'))} → ${bytes(pick(b, 'optimizedSizeBytes'))}`] : [],
    pick(b, 'sizeReductionPercent') !== undefined ? ['Size reduction', percent(pick(b, 'sizeReductionPercent'))] : [],
    ['Error', pick(b, 'errorMessage')],
    ['Suggestion', pick(b, 'aiSuggestions')],
  ].filter(p => p.length)));
}

// ---------- health ----------

function health(checks) {
  if (!checks.length) return card('health', 'Health checks', h('p', { class: 'empty' }, 'No health check has run yet.'));
  const sorted = [...checks].sort((a, b) => Date.parse(pick(a, 'checkTime')) - Date.parse(pick(b, 'checkTime')));
  const healthy = sorted.filter(c => pick(c, 'healthy')).length;
  return card('health', 'Health checks',
    h('p', null, `${healthy} of ${sorted.length} checks healthy.`),
    lineChart({
      title: 'Response time per check (ms)',
      points: sorted.map(c => ({ t: pick(c, 'checkTime'), value: pick(c, 'responseTimeMs') ?? 0, ok: !!pick(c, 'healthy') })),
      unit: ' ms',
    }),
    h('details', null, h('summary', null, 'All checks'), h('div', { class: 'table-wrap' }, h('table', { class: 'responsive' },
      h('thead', null, h('tr', null, ['Time', 'Result', 'Status', 'Response', 'URL', 'Attempt', 'Error'].map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', null, sorted.map(c => h('tr', null,
        h('td', { 'data-label': 'Time' }, time(pick(c, 'checkTime'))),
        h('td', { 'data-label': 'Result' }, h('span', { class: `badge badge-${pick(c, 'healthy') ? 'ok' : 'bad'}` }, pick(c, 'healthy') ? 'healthy' : 'unhealthy')),
        h('td', { 'data-label': 'Status' }, pick(c, 'statusCode') ?? '—'),
        h('td', { 'data-label': 'Response' }, pick(c, 'responseTimeMs') !== undefined ? `${pick(c, 'responseTimeMs')} ms` : '—'),
        h('td', { 'data-label': 'URL' }, pick(c, 'checkUrl') ?? '—'),
        h('td', { 'data-label': 'Attempt' }, `${pick(c, 'attemptNumber') ?? 1}${pick(c, 'maxAttempts') ? ` of ${pick(c, 'maxAttempts')}` : ''}`),
        h('td', { 'data-label': 'Error' }, pick(c, 'errorMessage') ?? ''))))))));
}

// ---------- agents ----------

function agents(executions) {
  if (!executions.length) return card('agents', 'Agent executions', h('p', { class: 'empty' }, 'No agent has run yet.'));
  let tin = 0, tout = 0, cost = 0;
  const rows = executions.map(a => {
    tin += Number(pick(a, 'llmTokensInput') ?? 0);
    tout += Number(pick(a, 'llmTokensOutput') ?? 0);
    cost += Number(pick(a, 'llmCostUsd') ?? 0);
    return h('tr', null,
      h('td', { 'data-label': 'Agent' }, h('span', null, pick(a, 'agentName'), pick(a, 'errorMessage') ? h('span', { class: 'sub' }, pick(a, 'errorMessage')) : null)),
      h('td', { 'data-label': 'Result' }, h('span', { class: `badge badge-${pick(a, 'success') ? 'ok' : pick(a, 'completedAt') ? 'bad' : 'run'}` }, pick(a, 'success') ? 'ok' : pick(a, 'completedAt') ? 'failed' : 'running')),
      h('td', { 'data-label': 'Model' }, pick(a, 'llmModel') ?? '—'),
      h('td', { 'data-label': 'Duration', class: 'num' }, duration(pick(a, 'durationSeconds'))),
      h('td', { 'data-label': 'Tokens in', class: 'num' }, integer(pick(a, 'llmTokensInput') ?? 0)),
      h('td', { 'data-label': 'Tokens out', class: 'num' }, integer(pick(a, 'llmTokensOutput') ?? 0)),
      h('td', { 'data-label': 'Cost', class: 'num' }, usd(pick(a, 'llmCostUsd') ?? 0)));
  });
  return card('agents', 'Agent executions', h('div', { class: 'table-wrap' }, h('table', { class: 'responsive' },
    h('thead', null, h('tr', null, ['Agent', 'Result', 'Model', 'Duration', 'Tokens in', 'Tokens out', 'Cost'].map((t, i) => h('th', { scope: 'col', class: i >= 3 ? 'num' : null }, t)))),
    h('tbody', null, rows),
    h('tfoot', null, h('tr', null,
      h('th', { scope: 'row', 'data-label': '' }, 'Total'), h('td', { 'data-label': '' }), h('td', { 'data-label': '' }), h('td', { 'data-label': '' }),
      h('td', { class: 'num', 'data-label': 'Tokens in' }, integer(tin)),
      h('td', { class: 'num', 'data-label': 'Tokens out' }, integer(tout)),
      h('td', { class: 'num', 'data-label': 'Cost', id: 'agents-total-cost' }, usd(cost)))))));
}

// ---------- advisor ----------

function advisor(d) {
  const body = h('div', { 'aria-live': 'polite' });
  const ask = h('button', { type: 'button', class: 'button button-quiet', id: 'ask-advisor' }, FAILED.has(d.status) ? 'Explain this failure' : 'Ask for a strategy recommendation');
  ask.addEventListener('click', async () => {
    ask.disabled = true;
    replace(body, h('p', { class: 'hint' }, 'Asking the advisor…'));
    try {
      const advice = await api.get(`/deployments/${encodeURIComponent(d.id)}/advice`);
      const rec = pick(advice, 'recommendation');
      const recText = rec && typeof rec === 'object'
        ? [pick(rec, 'strategy'), pick(rec, 'reasoning', 'reason', 'why')].filter(Boolean).join(': ')
        : rec;
      const cause = pick(advice, 'rootCause');
      const causeText = cause && typeof cause === 'object'
        ? [pick(cause, 'summary', 'rootCause'), pick(cause, 'fix', 'suggestedFix')].filter(Boolean).join(' — Fix: ')
        : cause;
      replace(body, facts([['Root cause', causeText || 'none (the deployment did not fail)'], ['Recommendation', recText || '—']]));
    } catch (err) {
      if (err instanceof SignInRequired) throw err;
      renderError(body, err);
    } finally {
      ask.disabled = false;
    }
  });
  return card('advisor', 'Advisor', h('div', { class: 'toolbar' }, ask), body);
}

// ---------- logs ----------

class LogView {
  constructor(deploymentId) {
    this.id = deploymentId;
    this.seen = new Set();
    this.lastId = 0;
    this.list = h('div', { class: 'log', id: 'logs', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Deployment log', tabindex: '0' });
    this.state = h('span', { class: 'stream-state', id: 'stream-state', role: 'status' }, '');
    this.follow = h('input', { type: 'checkbox', id: 'follow-logs', checked: true });
    this.placeholder = h('p', { class: 'empty', style: 'margin:.25rem' }, 'No log entries yet.');
    this.list.append(this.placeholder);
  }

  element() {
    return card('logs-card', 'Logs',
      h('div', { class: 'toolbar', style: 'justify-content:space-between;margin-bottom:.5rem' },
        this.state,
        h('span', null, this.follow, ' ', h('label', { for: 'follow-logs' }, 'Follow new entries'))),
      this.list);
  }

  /** origin: 'history' (GET /logs) or 'stream' (Server-Sent Events), kept on each line as data-origin. */
  add(items, origin = 'history') {
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const fragment = document.createDocumentFragment();
    for (const item of items) {
      const id = Number(item.id);
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (id > this.lastId) this.lastId = id;
      const level = String(item.level ?? 'INFO').toUpperCase();
      fragment.append(h('div', { class: 'log-line', 'data-log-id': id, 'data-event': item.eventType ?? '', 'data-origin': origin },
        h('span', { class: 'ts' }, time(item.timestamp)),
        h('span', { class: `lvl lvl-${level}` }, level),
        h('span', { class: 'agent' }, item.agent ?? ''),
        h('span', { class: 'msg' }, item.message ?? '')));
    }
    if (!fragment.childNodes.length) return;
    this.placeholder.remove();
    this.list.append(fragment);
    while (this.list.childElementCount > MAX_LOG_LINES) this.list.firstElementChild.remove();
    if (this.follow.checked && (nearBottom || this.list.childElementCount <= items.length)) this.list.scrollTop = this.list.scrollHeight;
  }

  async loadHistory(signal) {
    let after;
    for (let page = 0; page < 50; page++) {
      const result = await api.get(`/deployments/${encodeURIComponent(this.id)}/logs`, { after, limit: 200 }, signal);
      this.add(result.items ?? []);
      if (!result.nextCursor || !(result.items ?? []).length) break;
      after = result.nextCursor;
    }
  }
}

// ---------- page ----------

export async function renderDeployment(ctx) {
  const [id] = ctx.params;
  const controller = new AbortController();
  ctx.onLeave(() => controller.abort());

  let detail = await api.get(`/deployments/${encodeURIComponent(id)}`, undefined, controller.signal);
  if (!ctx.isCurrent()) return;
  const logs = new LogView(id);
  const statusLine = h('p', { id: 'deployment-status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', style: 'margin:0' });
  const heading = h('h1', null);
  const actions = h('div');
  const sections = h('div');

  const render = () => {
    const d = detail.deployment ?? detail;
    document.title = `${d.repository} · ${statusText(d.status)} · DeployMind`;
    replace(heading, d.repository);
    replace(statusLine, h('span', { class: 'visually-hidden' }, 'Status: '), statusBadge(d.status, { id: 'status-badge' }), ' ', h('span', { class: 'hint' }, `${d.strategy ?? ''} · ${d.environment ?? ''}`));
    replace(actions, actionBar(ctx, d, reload));
    replace(sections,
      h('div', { class: 'grid' }, overview(d), timeline(d, detail.stages ?? [])),
      logs.element(),
      security(detail.securityScans ?? [], detail.decision),
      h('div', { class: 'grid' }, build(detail.build), health(detail.healthChecks ?? [])),
      agents(detail.agentExecutions ?? []),
      advisor(d));
  };

  let reloadTimer = null;
  let reloading = false;
  async function reload() {
    if (reloading) return;
    reloading = true;
    try {
      const next = await api.get(`/deployments/${encodeURIComponent(id)}`, undefined, controller.signal);
      if (!ctx.isCurrent()) return;
      const before = (detail.deployment ?? detail).status;
      detail = next;
      const scroll = logs.list.scrollTop;
      render();
      logs.list.scrollTop = scroll;
      const after = (detail.deployment ?? detail).status;
      if (before !== after) announce(`Status: ${statusText(after)}`);
    } catch (err) {
      if (err.name !== 'AbortError' && err instanceof SignInRequired) ctx.navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, { replace: true });
    } finally {
      reloading = false;
    }
  }
  const reloadSoon = () => { clearTimeout(reloadTimer); reloadTimer = setTimeout(reload, 400); };
  ctx.onLeave(() => clearTimeout(reloadTimer));

  replace(ctx.main,
    h('p', { style: 'margin:0 0 .5rem' }, h('a', { href: '/', 'data-link': true }, '← Deployments')),
    h('div', { class: 'page-head' }, heading, statusLine),
    actions,
    sections);
  render();

  await logs.loadHistory(controller.signal).catch(err => {
    if (err.name === 'AbortError') return;
    if (err instanceof SignInRequired) throw err;
    replace(logs.state, `Could not load the log: ${err.message}`);
  });
  if (!ctx.isCurrent()) return;

  const status = () => (detail.deployment ?? detail).status;
  if (isTerminal(status())) {
    logs.state.textContent = `Finished (${statusText(status())}); ${logs.seen.size} entries.`;
    return;
  }

  // Live: the stream sends `log` events, `status` events and a final `end` once the deployment is terminal.
  const source = new EventSource(`/api/v1/deployments/${encodeURIComponent(id)}/logs/stream`, { withCredentials: true });
  ctx.onLeave(() => source.close());
  logs.state.textContent = 'Connecting to the live log…';
  source.addEventListener('open', () => { logs.state.textContent = 'Live: new entries appear as they are written.'; });
  source.addEventListener('log', e => {
    let item;
    try { item = JSON.parse(e.data); } catch { return; }
    logs.add([item], 'stream');
    if (/^(stage_|scan_completed|build_|health_check|deployment_|rollback_|security_rejected|root_cause)/.test(item.eventType ?? '')) reloadSoon();
  });
  source.addEventListener('status', e => {
    let payload;
    try { payload = JSON.parse(e.data); } catch { return; }
    const d = detail.deployment ?? detail;
    if (payload.status && payload.status !== d.status) {
      d.status = payload.status;
      replace(statusLine, h('span', { class: 'visually-hidden' }, 'Status: '), statusBadge(d.status, { id: 'status-badge' }), ' ', h('span', { class: 'hint' }, `${d.strategy ?? ''} · ${d.environment ?? ''}`));
      reloadSoon();
    }
  });
  source.addEventListener('end', () => {
    source.close();
    logs.state.textContent = 'Finished; the live log is closed.';
    reload().then(() => {
      if (ctx.isCurrent()) logs.state.textContent = `Finished (${statusText(status())}); ${logs.seen.size} entries.`;
    });
  });
  source.addEventListener('error', async () => {
    if (source.readyState === EventSource.CLOSED) {
      logs.state.textContent = 'The live log was closed by the server.';
      try { await api.session(); } catch (err) {
        if (err instanceof SignInRequired && ctx.isCurrent()) ctx.navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, { replace: true });
      }
    } else {
      logs.state.textContent = 'Connection lost; reconnecting…';
    }
  });
}
