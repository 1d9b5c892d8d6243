// Formatting of values from the API for display. Every function accepts null/undefined and returns a string.

const TERMINAL = new Set(['deployed', 'security_failed', 'build_failed', 'failed', 'rolled_back', 'cancelled']);
export const STATUSES = ['pending', 'security_scanning', 'security_failed', 'building', 'build_failed', 'deploying',
  'deployed', 'failed', 'rolling_back', 'rolled_back', 'cancelled'];
export const ENVIRONMENTS = ['development', 'staging', 'production'];
export const STRATEGIES = ['rolling', 'canary', 'blue-green'];
export const TRIGGER_TYPES = ['manual', 'webhook', 'scheduled'];
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export const isTerminal = status => TERMINAL.has(status);

export function statusKind(status) {
  switch (status) {
    case 'deployed': return 'ok';
    case 'security_failed': case 'build_failed': case 'failed': return 'bad';
    case 'rolled_back': case 'rolling_back': return 'warn';
    case 'cancelled': return 'idle';
    case 'pending': return 'idle';
    default: return 'run';
  }
}

export const statusText = status => (status ?? 'unknown').replaceAll('_', ' ');

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(Number(seconds))) return '—';
  let s = Number(seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s = Math.round(s - m * 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min ${s} s`;
}

/** Seconds between two ISO timestamps (the second defaults to now), or null. */
export function elapsed(from, to) {
  if (!from) return null;
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : Date.now();
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.max(0, (b - a) / 1000);
}

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Compact local date and time for tables: "Nov 28, 15:50". */
export function compactDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function shortDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n), i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function usd(n) {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  if (v === 0) return '$0';
  return v < 0.01 ? `$${v.toFixed(6)}` : `$${v.toFixed(4)}`;
}

export const integer = n => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

export function percent(n) {
  if (n === null || n === undefined) return '—';
  return `${Number(n).toFixed(1)}%`;
}

export const shortSha = sha => (sha ? String(sha).slice(0, 10) : '—');

export const yesNo = b => (b === null || b === undefined ? '—' : b ? 'yes' : 'no');
