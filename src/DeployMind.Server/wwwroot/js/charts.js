// Inline SVG charts drawn here (no library, nothing fetched). Every chart is a <figure> whose <svg> has
// role="img" with a title and a description, followed by the same numbers as a table for screen readers
// and for copying. Labels are set with textContent, so data cannot inject markup.
import { h, s } from './dom.js';

let chartSeq = 0;
const W = 440;

function niceMax(max) {
  if (!(max > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= max) return m * exp;
  return 10 * exp;
}

function ticks(max, count = 4) {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

function shortNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : String(+v.toFixed(2));
}

function truncate(text, max) {
  const t = String(text ?? '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function frame(title, description, height, body, table, legend) {
  const id = `chart-${++chartSeq}`;
  const svg = s('svg', { class: 'chart-svg', viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: 'xMidYMid meet' },
    s('title', { id: `${id}-t` }, title),
    s('desc', { id: `${id}-d` }, description),
    body);
  return h('figure', { class: 'chart', 'data-chart': title },
    h('figcaption', null, title),
    svg,
    legend ?? null,
    table ? h('details', { class: 'chart-data' }, h('summary', null, 'Data table'), h('div', { class: 'table-wrap' }, table)) : null);
}

function dataTable(caption, headers, rows) {
  return h('table', null,
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, headers.map((x, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : null }, x)))),
    h('tbody', null, rows.map(r => h('tr', null, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: 'num' }, c)))))));
}

function legendOf(names) {
  return h('div', { class: 'legend', 'aria-hidden': 'true' }, names.map((n, i) =>
    h('span', null, s('svg', { width: 12, height: 12, class: 'chart-svg', style: 'display:inline;width:12px' }, s('rect', { width: 12, height: 12, class: `series-${i}` })), ' ', n)));
}

function empty(title) {
  return h('figure', { class: 'chart', 'data-chart': title }, h('figcaption', null, title), h('p', { class: 'empty' }, 'No data for this period.'));
}

/**
 * Vertical bars, one per category, optionally stacked series.
 * data: [{label, values: [n, ...]}]; series: names of the values.
 */
export function columnChart({ title, data, series = ['value'], unit = '', format = shortNumber, labelFormat = x => x, stacked = true }) {
  if (!data.length) return empty(title);
  const H = 230, left = 44, right = 6, top = 10, bottom = 40;
  const plotW = W - left - right, plotH = H - top - bottom;
  const totals = data.map(d => (stacked ? d.values.reduce((a, b) => a + (Number(b) || 0), 0) : Math.max(...d.values.map(v => Number(v) || 0))));
  const max = niceMax(Math.max(...totals));
  const band = plotW / data.length;
  const barW = Math.max(1, Math.min(48, band * 0.75));
  const everyNth = Math.ceil(data.length / Math.max(1, Math.floor(plotW / 52)));
  const g = s('g', null);
  for (const t of ticks(max)) {
    const y = top + plotH - (t / max) * plotH;
    g.append(s('line', { class: 'grid-line', x1: left, x2: W - right, y1: y, y2: y }),
      s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, format(t)));
  }
  data.forEach((d, i) => {
    const x = left + i * band + (band - barW) / 2;
    let y0 = top + plotH;
    const subW = stacked ? barW : barW / d.values.length;
    d.values.forEach((v, k) => {
      const hgt = ((Number(v) || 0) / max) * plotH;
      const y = stacked ? (y0 -= hgt) : top + plotH - hgt;
      g.append(s('rect', { class: `series-${k}`, x: stacked ? x : x + k * subW, y, width: subW, height: Math.max(0, hgt) },
        s('title', null, `${labelFormat(d.label)}: ${series.length > 1 ? `${series[k]} ` : ''}${format(Number(v) || 0)}${unit}`)));
    });
    if (i % everyNth === 0) {
      g.append(s('text', { x: x + barW / 2, y: H - bottom + 16, 'text-anchor': 'middle' }, truncate(labelFormat(d.label), Math.max(6, Math.floor((band * everyNth) / 7)))));
    }
  });
  g.append(s('line', { class: 'axis', x1: left, x2: W - right, y1: top + plotH, y2: top + plotH }));
  const peak = data[totals.indexOf(Math.max(...totals))];
  const description = `${data.length} bars from ${labelFormat(data[0].label)} to ${labelFormat(data[data.length - 1].label)}; highest ${format(Math.max(...totals))}${unit} on ${labelFormat(peak.label)}.`;
  const table = dataTable(title, ['', ...series], data.map(d => [labelFormat(d.label), ...d.values.map(v => `${format(Number(v) || 0)}${unit}`)]));
  return frame(title, description, H, g, table, series.length > 1 ? legendOf(series) : null);
}

/**
 * Horizontal bars for categories with long names (repositories, agents), optionally stacked.
 * data: [{label, values: [n, ...]}]
 */
export function barChart({ title, data, series = ['value'], unit = '', format = shortNumber, stacked = true }) {
  if (!data.length) return empty(title);
  const rowH = stacked ? 26 : 12 + 10 * series.length, left = 130, right = 62, top = 8;
  const H = top + data.length * rowH + 24;
  const plotW = W - left - right;
  const totals = data.map(d => (stacked ? d.values.reduce((a, b) => a + (Number(b) || 0), 0) : Math.max(...d.values.map(v => Number(v) || 0))));
  const max = niceMax(Math.max(...totals));
  const g = s('g', null);
  for (const t of ticks(max)) {
    const x = left + (t / max) * plotW;
    g.append(s('line', { class: 'grid-line', x1: x, x2: x, y1: top, y2: H - 20 }),
      s('text', { x, y: H - 6, 'text-anchor': 'middle' }, format(t)));
  }
  data.forEach((d, i) => {
    const y = top + i * rowH;
    const label = s('text', { x: left - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end' }, truncate(d.label, 20));
    label.append(s('title', null, String(d.label)));
    g.append(label);
    let x0 = left;
    const barH = stacked ? rowH - 8 : (rowH - 8) / d.values.length;
    d.values.forEach((v, k) => {
      const w = ((Number(v) || 0) / max) * plotW;
      g.append(s('rect', { class: `series-${k}`, x: stacked ? x0 : left, y: y + 4 + (stacked ? 0 : k * barH), width: Math.max(0, w), height: barH },
        s('title', null, `${d.label}: ${series.length > 1 ? `${series[k]} ` : ''}${format(Number(v) || 0)}${unit}`)));
      if (stacked) x0 += w; else x0 = Math.max(x0, left + w);
    });
    g.append(s('text', { x: x0 + 6, y: y + rowH / 2 + 4 }, `${format(totals[i])}${unit}`));
  });
  g.append(s('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - 20 }));
  const description = `${data.length} bars; largest ${truncate(data[totals.indexOf(Math.max(...totals))].label, 60)} with ${format(Math.max(...totals))}${unit}.`;
  const withTotal = stacked && series.length > 1;
  const table = dataTable(title, ['', ...series, ...(withTotal ? ['total'] : [])],
    data.map((d, i) => [d.label, ...d.values.map(v => `${format(Number(v) || 0)}${unit}`), ...(withTotal ? [`${format(totals[i])}${unit}`] : [])]));
  return frame(title, description, H, g, table, series.length > 1 ? legendOf(series) : null);
}

/**
 * A time series: points {t: Date|ISO, value: n, ok?: bool}. Points with ok === false are drawn as failures.
 */
export function lineChart({ title, points, unit = '', format = shortNumber, timeFormat = t => new Date(t).toLocaleTimeString(undefined, { hour12: false }) }) {
  const pts = points.filter(p => p.value !== null && p.value !== undefined && !Number.isNaN(Date.parse(p.t)));
  if (!pts.length) return empty(title);
  const H = 220, left = 44, right = 10, top = 10, bottom = 34;
  const plotW = W - left - right, plotH = H - top - bottom;
  const times = pts.map(p => Date.parse(p.t));
  const tMin = Math.min(...times), tMax = Math.max(...times);
  const span = tMax - tMin || 1;
  const max = niceMax(Math.max(...pts.map(p => Number(p.value))));
  const X = t => left + (pts.length === 1 ? plotW / 2 : ((t - tMin) / span) * plotW);
  const Y = v => top + plotH - (Number(v) / max) * plotH;
  const g = s('g', null);
  for (const t of ticks(max)) {
    g.append(s('line', { class: 'grid-line', x1: left, x2: W - right, y1: Y(t), y2: Y(t) }),
      s('text', { x: left - 6, y: Y(t) + 4, 'text-anchor': 'end' }, `${format(t)}`));
  }
  const timeTicks = pts.length === 1 ? [tMin] : [tMin, tMin + span / 2, tMax];
  for (const t of timeTicks) {
    g.append(s('text', { x: X(t), y: H - bottom + 18, 'text-anchor': 'middle' }, timeFormat(t)));
  }
  g.append(s('line', { class: 'axis', x1: left, x2: W - right, y1: top + plotH, y2: top + plotH }));
  const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X(Date.parse(p.t)).toFixed(1)},${Y(p.value).toFixed(1)}`).join(' ');
  g.append(s('path', { class: 'line series-0', d }));
  for (const p of pts) {
    g.append(s('circle', { class: p.ok === false ? 'pt-bad' : 'pt-ok', cx: X(Date.parse(p.t)), cy: Y(p.value), r: p.ok === false ? 5 : 4 },
      s('title', null, `${timeFormat(Date.parse(p.t))}: ${format(Number(p.value))}${unit}${p.ok === false ? ' (failed)' : ''}`)));
  }
  const failed = pts.filter(p => p.ok === false).length;
  const description = `${pts.length} points; max ${format(Math.max(...pts.map(p => Number(p.value))))}${unit}; ${failed} failed.`;
  const table = dataTable(title, ['time', 'value', 'result'], pts.map(p => [timeFormat(Date.parse(p.t)), `${format(Number(p.value))}${unit}`, p.ok === false ? 'failed' : 'ok']));
  const legend = h('div', { class: 'legend', 'aria-hidden': 'true' },
    h('span', null, s('svg', { width: 12, height: 12, class: 'chart-svg', style: 'display:inline;width:12px' }, s('circle', { cx: 6, cy: 6, r: 5, class: 'pt-ok' })), ' healthy'),
    h('span', null, s('svg', { width: 12, height: 12, class: 'chart-svg', style: 'display:inline;width:12px' }, s('circle', { cx: 6, cy: 6, r: 5, class: 'pt-bad' })), ' failed'));
  return frame(title, description, H, g, table, legend);
}

/** A ring showing one percentage, with the number in the middle. */
export function ringChart({ title, percent, detail }) {
  if (percent === null || percent === undefined || Number.isNaN(Number(percent))) return empty(title);
  const H = 170, r = 58, cx = W / 2, cy = 80, c = 2 * Math.PI * r;
  const p = Math.max(0, Math.min(100, Number(percent)));
  const g = s('g', null,
    s('circle', { cx, cy, r, fill: 'none', stroke: '#e5e7eb', 'stroke-width': 18 }),
    s('circle', { cx, cy, r, fill: 'none', stroke: p >= 80 ? '#047857' : p >= 50 ? '#b45309' : '#b91c1c', 'stroke-width': 18,
      'stroke-dasharray': `${(c * p) / 100} ${c}`, transform: `rotate(-90 ${cx} ${cy})` }),
    s('text', { x: cx, y: cy + 9, 'text-anchor': 'middle', style: 'font-size:26px;font-weight:800;fill:#1a1d23' }, `${p.toFixed(1)}%`),
    detail ? s('text', { x: cx, y: H - 4, 'text-anchor': 'middle' }, detail) : null);
  return frame(title, `${p.toFixed(1)} percent${detail ? `; ${detail}` : ''}.`, H, g, null, null);
}
