// Analytics: each card fetches one /api/v1/analytics/{name} query and draws it as an inline SVG chart.
// Row shapes are read tolerantly (the label column is the first text column, values the numeric ones), so
// a query that gains a column keeps rendering.
import { api, SignInRequired } from '../api.js';
import { h, replace } from '../dom.js';
import { columnChart, barChart, ringChart } from '../charts.js';
import { renderError } from '../app.js';
import { duration, usd, shortDate, integer } from '../format.js';

const DAY_CHOICES = [7, 14, 30, 90, 365];
const LABEL_PREFERENCE = ['day', 'date', 'repository', 'agentName', 'agent', 'strategy', 'language', 'environment', 'reason', 'stage', 'status', 'name', 'label'];

const isNum = v => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) && !/^\d{4}-\d{2}-\d{2}/.test(v));
const num = v => (v === null || v === undefined ? 0 : Number(v));

function labelKey(rows) {
  const keys = Object.keys(rows[0] ?? {});
  return LABEL_PREFERENCE.find(k => keys.includes(k)) ?? keys.find(k => rows.some(r => typeof r[k] === 'string' && !isNum(r[k])));
}

function findKey(row, ...patterns) {
  const keys = Object.keys(row ?? {});
  for (const p of patterns) {
    const k = keys.find(key => (p instanceof RegExp ? p.test(key) : key === p));
    if (k) return k;
  }
  return undefined;
}

const isDay = v => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v);

/** Fills the days between the first and last row so a quiet day shows as an empty bar, not a gap. */
function fillDays(rows, key) {
  if (rows.length < 2 || !rows.every(r => isDay(r[key]))) return rows;
  const byDay = new Map(rows.map(r => [String(r[key]).slice(0, 10), r]));
  const out = [];
  const start = new Date(`${String(rows[0][key]).slice(0, 10)}T00:00:00Z`);
  const end = new Date(`${String(rows[rows.length - 1][key]).slice(0, 10)}T00:00:00Z`);
  for (let d = start; d <= end && out.length < 400; d = new Date(d.getTime() + 86400000)) {
    const day = d.toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { [key]: day });
  }
  return out;
}

/** averageSeconds -> average seconds */
const humanize = key => String(key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();

const dayLabel = v => (isDay(v) ? shortDate(`${String(v).slice(0, 10)}T00:00:00Z`) : String(v));

function cardFor(name, title) {
  const body = h('div', { class: 'chart-body', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…'));
  return { el: h('section', { class: 'card', id: `analytics-${name}`, 'aria-label': title }, body), body };
}

// ---------- one renderer per query ----------

function successRate(rows) {
  if (!rows.length) return ringChart({ title: 'Success rate', percent: null });
  const first = rows[0];
  const totalKey = findKey(first, 'total', /total/i, 'count');
  const okKey = findKey(first, 'deployed', 'succeeded', 'successful', /deployed|success/i);
  const pctKey = findKey(first, 'percent', 'successRate', 'rate', /percent|rate/i);
  const label = labelKey(rows);
  let total = 0, ok = 0;
  for (const r of rows) { total += num(r[totalKey]); ok += num(r[okKey]); }
  const overall = totalKey && okKey && total > 0 ? (ok * 100) / total : pctKey ? num(first[pctKey]) : null;
  const ring = ringChart({ title: 'Success rate', percent: overall, detail: totalKey && okKey ? `${integer(ok)} of ${integer(total)} deployments deployed` : undefined });
  if (rows.length > 1 && label) {
    const series = pctKey ? rows.map(r => ({ label: r[label], values: [r[pctKey]] })) : rows.map(r => ({ label: r[label], values: [num(r[totalKey]) ? (num(r[okKey]) * 100) / num(r[totalKey]) : 0] }));
    return [ring, columnChart({ title: `Success rate by ${label}`, data: series, unit: '%', format: v => `${+Number(v).toFixed(1)}`, labelFormat: dayLabel })];
  }
  return ring;
}

function perDay(rows) {
  const label = labelKey(rows) ?? 'day';
  const countKey = findKey(rows[0] ?? {}, 'count', 'deployments', 'total', /count/i);
  const filled = fillDays(rows, label);
  return columnChart({ title: 'Deployments per day', data: filled.map(r => ({ label: r[label], values: [num(r[countKey])] })), labelFormat: dayLabel });
}

function durations(rows) {
  if (!rows.length) return columnChart({ title: 'Deployment durations', data: [] });
  const label = labelKey(rows);
  const first = rows[0];
  const numeric = Object.keys(first).filter(k => k !== label && rows.some(r => isNum(r[k])));
  const secondsKeys = numeric.filter(k => /second|duration|p50|p90|p95|p99|median|avg|average|min|max/i.test(k) && !/count/i.test(k));
  const keys = (secondsKeys.length ? secondsKeys : numeric).slice(0, 3);
  const fmt = v => duration(v);
  if (!label) {
    // One summary row: show its figures.
    return h('figure', { class: 'chart', 'data-chart': 'Deployment durations' },
      h('figcaption', null, 'Deployment durations'),
      h('dl', { class: 'facts' }, numeric.map(k => [h('dt', null, k), h('dd', null, /count/i.test(k) ? integer(first[k]) : fmt(first[k]))])));
  }
  const data = (rows.every(r => isDay(r[label])) ? fillDays(rows, label) : rows).map(r => ({ label: r[label], values: keys.map(k => num(r[k])) }));
  const chartArgs = { title: `Deployment durations by ${label} (seconds)`, data, series: keys.map(humanize), unit: ' s', format: v => String(Math.round(v)), labelFormat: dayLabel, stacked: false };
  return rows.every(r => isDay(r[label])) || keys.length > 1 ? columnChart(chartArgs) : barChart(chartArgs);
}

function vulnerable(rows) {
  const label = labelKey(rows) ?? 'repository';
  const first = rows[0] ?? {};
  const critical = findKey(first, 'critical', /critical/i);
  const high = findKey(first, 'high', /^high/i);
  if (critical && high && critical !== high) {
    return barChart({ title: 'Most vulnerable repositories (critical + high findings)', data: rows.map(r => ({ label: r[label], values: [num(r[critical]), num(r[high])] })), series: ['critical', 'high'] });
  }
  const total = findKey(first, 'criticalAndHigh', 'total', /count|total/i);
  return barChart({ title: 'Most vulnerable repositories', data: rows.map(r => ({ label: r[label], values: [num(r[total])] })) });
}

function agentCosts(rows) {
  const label = labelKey(rows) ?? 'agentName';
  const first = rows[0] ?? {};
  const input = findKey(first, 'inputTokens', 'llmTokensInput', 'tokensInput', /input/i);
  const output = findKey(first, 'outputTokens', 'llmTokensOutput', 'tokensOutput', /output/i);
  const total = findKey(first, 'totalTokens', 'tokens', /tokens/i);
  const cost = findKey(first, 'costUsd', 'llmCostUsd', 'totalUsd', 'cost', /cost|usd/i);
  const charts = [];
  if (input && output) {
    charts.push(barChart({ title: 'LLM tokens per agent', data: rows.map(r => ({ label: r[label], values: [num(r[input]), num(r[output])] })), series: ['input', 'output'] }));
  } else if (total) {
    charts.push(barChart({ title: 'LLM tokens per agent', data: rows.map(r => ({ label: r[label], values: [num(r[total])] })) }));
  }
  if (cost) {
    charts.push(barChart({ title: 'LLM cost per agent (USD)', data: rows.map(r => ({ label: r[label], values: [num(r[cost])] })), format: usd }));
  }
  return charts.length ? charts : barChart({ title: 'LLM tokens and cost per agent', data: [] });
}

function failureReasons(rows) {
  const label = labelKey(rows) ?? 'reason';
  const count = findKey(rows[0] ?? {}, 'count', /count|total/i);
  return barChart({ title: 'Failure reasons', data: rows.map(r => ({ label: r[label], values: [num(r[count])] })) });
}

const QUERIES = [
  { name: 'success-rate', title: 'Success rate', render: successRate },
  { name: 'deployments-per-day', title: 'Deployments per day', render: perDay },
  { name: 'durations', title: 'Deployment durations', render: durations },
  { name: 'most-vulnerable-repositories', title: 'Most vulnerable repositories', render: vulnerable },
  { name: 'agent-costs', title: 'LLM tokens and cost per agent', render: agentCosts },
  { name: 'failure-reasons', title: 'Failure reasons', render: failureReasons, optional: true },
];

export async function renderAnalytics(ctx) {
  document.title = 'Analytics · DeployMind';
  const days = DAY_CHOICES.includes(Number(ctx.query.get('days'))) ? Number(ctx.query.get('days')) : 30;
  const picker = h('select', { id: 'days', name: 'days' }, DAY_CHOICES.map(d => h('option', { value: d, selected: d === days }, `Last ${d} days`)));
  picker.addEventListener('change', () => ctx.navigate(`/analytics?days=${picker.value}`, { replace: true }));
  const cards = QUERIES.map(q => ({ q, ...cardFor(q.name, q.title) }));
  replace(ctx.main,
    h('div', { class: 'page-head' },
      h('h1', null, 'Analytics'),
      h('div', { class: 'field', style: 'min-width:12rem' }, h('label', { for: 'days' }, 'Period'), picker)),
    h('div', { class: 'grid', id: 'analytics' }, cards.map(c => c.el)));

  const controller = new AbortController();
  ctx.onLeave(() => controller.abort());
  let signInNeeded = null;
  await Promise.all(cards.map(async ({ q, el, body }) => {
    try {
      const result = await api.get(`/analytics/${q.name}`, { days }, controller.signal);
      if (!ctx.isCurrent()) return;
      const rows = Array.isArray(result?.rows) ? result.rows : Array.isArray(result) ? result : result ? [result] : [];
      replace(body, q.render(rows));
    } catch (err) {
      if (err.name === 'AbortError' || !ctx.isCurrent()) return;
      if (err instanceof SignInRequired) { signInNeeded = err; return; }
      if (q.optional && err.status === 404) { el.remove(); return; }
      replace(body, h('h2', null, q.title));
      body.append(h('div'));
      renderError(body.lastChild, err);
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  }));
  if (signInNeeded) throw signInNeeded;
}
