// Outroute operations dashboard: a plain ES module, no build step. Every figure
// shown is the API's own number (only formatted here); nothing is recomputed.

const POLL_MS = 5000;
const KEY_STORAGE = 'outroute.adminKey';
const STATUS_ACTIONS = [
  { status: 'paused', label: 'Pause', help: 'keeps its queue, gets nothing new' },
  { status: 'active', label: 'Resume', help: 'receives work again' },
  { status: 'offline', label: 'Offline', help: 'gets nothing new; its queued, unleased items are re-routed' },
];
const REASON_TEXT = {
  missing_skill: 'the provider does not have the skill',
  low_proficiency: 'its proficiency in the skill is below the minimum asked for',
  language: 'it does not work in the ticket’s language',
  clearance: 'its data clearance is below the ticket’s classification',
  region: 'it may not process data of the ticket’s region',
  status_paused: 'the provider is paused',
  status_offline: 'the provider is offline',
  at_capacity: 'it holds as many open items as its capacity',
  cannot_meet_due: 'predicted to finish after the due time, given its hours and backlog',
  rejected_before: 'it rejected this ticket before',
  too_large: 'the ticket’s effort is larger than the provider’s whole capacity',
};
/** Statuses, hold reasons and events of holds, escalation and transfer (the legend and the ticket view). */
const WORK_TEXT = {
  on_hold: 'status: the provider waits for someone else; it keeps the ticket and the SLA clock is stopped',
  awaiting_customer: 'hold reason: waiting for the customer',
  awaiting_third_party: 'hold reason: waiting for a third party',
  awaiting_source: 'hold reason: waiting for the system that sent the ticket',
  held: 'event: put on hold by its provider',
  resumed: 'event: off hold, queued again at its provider; its due moved later by the time held',
  hold_expired: 'cancel reason: on hold longer than the SLA policy’s maxHoldSeconds',
  escalated: 'event: sent back to routing for another skill, keeping its SLA clock',
  transferred: 'event: moved to another provider by operations',
};
const FACTORS = ['slack', 'cost', 'quality', 'share', 'load'];
const MEASURES = ['routed', 'completed', 'breached'];
const MEASURE_COLORS = { routed: '#0072b2', completed: '#009e73', breached: '#d55e00' };
const PROVIDER_COLORS = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#7f7f7f',
  '#f0e442',
];

const state = {
  key: sessionStorage.getItem(KEY_STORAGE),
  timer: undefined,
  refreshing: false,
  ticketId: undefined,
  metrics: undefined,
  chart: undefined,
  lastRendered: new Map(),
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? [];
  }
}

async function apiRequest(method, path, body, key = state.key) {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = parsed?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? 'error',
      error.message ?? response.statusText,
      error.details,
    );
  }
  return parsed;
}

function describeError(error) {
  if (!(error instanceof ApiError)) return `the API did not answer (${error.message})`;
  const details = error.details.map((detail) => `${detail.path || 'body'}: ${detail.message}`).join('; ');
  return `${error.status} ${error.code}: ${error.message}${details ? ` (${details})` : ''}`;
}

// ---------------------------------------------------------------- DOM helpers

const byId = (id) => document.getElementById(id);

/** Builds an element: props are properties (className, textContent, onclick…) or, for data-/aria- names, attributes. */
function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('data-') || name.startsWith('aria-') || name === 'role' || name === 'scope') {
      element.setAttribute(name, String(value));
    } else {
      element[name] = value;
    }
  }
  element.append(
    ...children.flat().filter((child) => child !== undefined && child !== null && child !== false),
  );
  return element;
}

/** Replaces a container's content; the element that had focus (by data-focus-key) gets it back. */
function replaceKeepingFocus(container, children) {
  const active = document.activeElement;
  const focusKey = container.contains(active) ? active?.getAttribute('data-focus-key') : null;
  container.replaceChildren(...children);
  if (focusKey) container.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}

/** Runs render only when its data changed since the last time, so polling does not churn the page. */
function renderIfChanged(name, data, render) {
  const snapshot = JSON.stringify(data);
  if (state.lastRendered.get(name) === snapshot) return;
  state.lastRendered.set(name, snapshot);
  render(data);
}

function setMessage(id, text) {
  byId(id).textContent = text ?? '';
}

function emptyRow(columns, text) {
  return el('tr', {}, el('td', { colSpan: columns, className: 'empty' }, text));
}

// ---------------------------------------------------------------- formatting

const dash = '—';

function formatPercent(fraction) {
  return typeof fraction === 'number' ? `${(fraction * 100).toFixed(1)}%` : dash;
}

function formatAttainment(fraction) {
  return fraction === null
    ? el('span', { title: 'nothing completed or breached in the window' }, dash)
    : formatPercent(fraction);
}

function formatAmount(amount) {
  return typeof amount === 'number' ? amount.toFixed(2) : dash;
}

function formatDuration(seconds) {
  if (typeof seconds !== 'number') return dash;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

function formatDateTime(iso) {
  if (!iso) return dash;
  return new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}

function timeElement(iso) {
  return iso ? el('time', { dateTime: iso, title: iso }, formatDateTime(iso)) : dash;
}

function secondsSince(iso) {
  return (Date.now() - Date.parse(iso)) / 1000;
}

function localClock(timeZone) {
  try {
    return new Date().toLocaleTimeString(undefined, {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return '';
  }
}

/** An hour key of the metrics API ('2026-11-22T14', UTC) as a short local label. */
function hourLabel(hour) {
  return new Date(`${hour}:00:00Z`).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

function badge(text, kind) {
  return el('span', { className: `badge badge-${kind}` }, text);
}

// ---------------------------------------------------------------- sign in and out

function showSignIn(message) {
  stopPolling();
  byId('dashboard-view').hidden = true;
  byId('session-bar').hidden = true;
  byId('sign-in-view').hidden = false;
  setMessage('sign-in-error', message);
  byId('admin-key').focus();
}

function showDashboard() {
  byId('sign-in-view').hidden = true;
  byId('dashboard-view').hidden = false;
  byId('session-bar').hidden = false;
  state.lastRendered.clear();
  openTicketFromHash();
  startPolling();
}

async function signIn(event) {
  event.preventDefault();
  const key = byId('admin-key').value.trim();
  if (!key) return setMessage('sign-in-error', 'Enter an admin key.');
  setMessage('sign-in-error', 'Checking the key…');
  try {
    await apiRequest('GET', '/v1/providers', undefined, key);
  } catch (error) {
    return setMessage('sign-in-error', signInFailure(error));
  }
  state.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  byId('sign-in-form').reset();
  setMessage('sign-in-error', '');
  showDashboard();
}

function signInFailure(error) {
  if (error instanceof ApiError && error.status === 401)
    return `The key was not accepted (401): ${error.message}.`;
  if (error instanceof ApiError && error.status === 403) {
    return `That key is valid but is not an admin key (403): ${error.message}.`;
  }
  return `Could not sign in: ${describeError(error)}.`;
}

function signOut(message) {
  state.key = null;
  sessionStorage.removeItem(KEY_STORAGE);
  state.chart?.destroy();
  state.chart = undefined;
  showSignIn(typeof message === 'string' ? message : '');
}

// ---------------------------------------------------------------- polling

function startPolling() {
  stopPolling();
  void refreshAll();
}

function stopPolling() {
  clearTimeout(state.timer);
  state.timer = undefined;
}

function scheduleNextPoll() {
  clearTimeout(state.timer);
  if (!state.key || document.hidden) return;
  state.timer = setTimeout(() => void refreshAll(), POLL_MS);
}

function onVisibilityChange() {
  if (!state.key) return;
  if (document.hidden) {
    stopPolling();
    setMessage('refresh-status', 'Live updates paused while this tab is hidden.');
  } else {
    startPolling();
  }
}

/** One round of polling: every panel's data at once; a failing call keeps that panel's last data. */
async function refreshAll() {
  if (state.refreshing || !state.key) return;
  state.refreshing = true;
  const ticketId = state.ticketId;
  try {
    const [providers, metrics, backlog, parked, ticket, sla] = await Promise.allSettled([
      apiRequest('GET', '/v1/providers'),
      apiRequest('GET', '/v1/metrics/providers'),
      apiRequest('GET', '/v1/metrics/backlog'),
      apiRequest('GET', '/v1/tickets?status=parked&limit=50'),
      ticketId ? apiRequest('GET', `/v1/tickets/${encodeURIComponent(ticketId)}`) : Promise.resolve(null),
      apiRequest('GET', '/v1/metrics/sla'),
    ]);
    const results = [providers, metrics, backlog, parked, ticket, sla];
    const rejected = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
    if (rejected.some((error) => error instanceof ApiError && error.status === 401)) {
      return signOut('Your key is no longer accepted (401). Sign in again.');
    }
    if (providers.status === 'fulfilled' && metrics.status === 'fulfilled') {
      renderProvidersAndChart(providers.value.items, metrics.value);
    }
    if (backlog.status === 'fulfilled') renderIfChanged('backlog', backlog.value.items, renderBacklog);
    if (parked.status === 'fulfilled') renderIfChanged('parked', parked.value, renderParked);
    if (sla.status === 'fulfilled') renderIfChanged('sla', sla.value.items, renderSla);
    // A ticket opened meanwhile has already been shown by openTicket.
    if (ticketId && ticketId === state.ticketId) applyTicketResult(ticket);
    const failures = rejected.filter((error) => !(error instanceof ApiError && error.status === 404));
    setMessage('dashboard-error', failures.length ? `Could not refresh: ${describeError(failures[0])}` : '');
    void refreshContracts(false);
    const updated = new Date().toLocaleTimeString(undefined, { hourCycle: 'h23' });
    setMessage('refresh-status', `Live · updated ${updated} · every ${POLL_MS / 1000} s`);
  } finally {
    state.refreshing = false;
    scheduleNextPoll();
  }
}

// ---------------------------------------------------------------- providers

function renderProvidersAndChart(providers, metrics) {
  state.metrics = metrics;
  setMessage(
    'metrics-window',
    `Metrics window: ${formatDateTime(metrics.from)} – ${formatDateTime(metrics.to)}`,
  );
  const metricsById = new Map(metrics.items.map((item) => [item.providerId, item]));
  const rows = providers.map((provider) => ({ provider, metrics: metricsById.get(provider.providerId) }));
  // The time zone clock moves every minute, so it is part of what "changed" means.
  renderIfChanged('providers', { rows, minute: Math.floor(Date.now() / 60_000) }, () =>
    renderProviders(rows),
  );
  renderIfChanged('chart', metrics.items, renderChart);
}

function renderProviders(rows) {
  const body = byId('providers-body');
  const content = rows.length
    ? rows.map(({ provider, metrics }) => providerRow(provider, metrics))
    : [emptyRow(9, 'No providers yet: create one with PUT /v1/providers/{providerId}.')];
  replaceKeepingFocus(body, content);
}

function providerRow(provider, metrics) {
  return el(
    'tr',
    { 'data-provider-id': provider.providerId },
    el(
      'th',
      { scope: 'row' },
      el('span', { className: 'provider-name' }, provider.name ?? provider.providerId),
      el('span', { className: 'provider-id' }, provider.providerId),
    ),
    el('td', { className: 'provider-status' }, badge(provider.status, provider.status)),
    hoursCell(provider),
    figureCell('open-items', metrics, () => `${metrics.openItems} / ${metrics.capacity}`, metrics?.openItems),
    figureCell('utilization', metrics, () => formatPercent(metrics.utilization), metrics?.utilization),
    figureCell(
      'sla-attainment',
      metrics,
      () => formatAttainment(metrics.slaAttainment),
      metrics?.slaAttainment,
    ),
    figureCell('cost-total', metrics, () => formatAmount(metrics.costTotal), metrics?.costTotal),
    figureCell(
      'hold-rate',
      metrics,
      () =>
        metrics.holdRate === null || metrics.holdRate === undefined ? dash : formatPercent(metrics.holdRate),
      metrics?.holdRate ?? null,
    ),
    actionsCell(provider),
  );
}

/** A metrics figure: the formatted text, with the API's raw value in data-value. */
function figureCell(name, metrics, format, value) {
  if (!metrics) return el('td', { className: `num figure-${name}` }, dash);
  return el(
    'td',
    { className: `num figure-${name}`, 'data-value': value === null ? 'null' : String(value) },
    format(),
  );
}

function hoursCell(provider) {
  const clock = localClock(provider.timeZone);
  return el(
    'td',
    { className: 'provider-hours' },
    el('span', {}, provider.timeZone),
    clock ? el('span', { className: 'hint' }, ` ${clock}`) : null,
    el('br'),
    openState(provider),
  );
}

function openState(provider) {
  if (provider.openNow === undefined) return null;
  if (provider.openNow) return badge('open now', 'open');
  if (!provider.nextOpenAt) return badge('closed, no opening ahead', 'closed');
  const opens = `closed · opens in ${formatDuration(-secondsSince(provider.nextOpenAt))}`;
  return el('span', { className: 'badge badge-closed', title: provider.nextOpenAt }, opens);
}

function actionsCell(provider) {
  const name = provider.name ?? provider.providerId;
  const buttons = STATUS_ACTIONS.map(({ status, label, help }) =>
    el(
      'button',
      {
        type: 'button',
        className: `small action-${status}`,
        disabled: provider.status === status,
        title: `${label}: ${help}`,
        'aria-label': `${label} ${name}`,
        'data-focus-key': `status:${provider.providerId}:${status}`,
        onclick: (event) => void changeProviderStatus(provider, status, event.currentTarget),
      },
      label,
    ),
  );
  return el('td', { className: 'actions' }, buttons);
}

async function changeProviderStatus(provider, status, button) {
  const name = provider.name ?? provider.providerId;
  if (status === 'offline' && !confirm(`Take ${name} offline? Its queued, unleased items will be re-routed.`))
    return;
  const row = button.closest('tr');
  for (const other of row.querySelectorAll('button')) other.disabled = true;
  setMessage('action-status', `Setting ${name} to ${status}…`);
  try {
    // Only the status changes: the rest of the configuration is never re-sent, so nothing can be lost.
    await apiRequest('POST', `/v1/providers/${encodeURIComponent(provider.providerId)}/status`, { status });
    announceAction(`${name} is now ${status}.`);
  } catch (error) {
    setMessage('action-status', '');
    setMessage('dashboard-error', `Could not set ${name} to ${status}: ${describeError(error)}`);
  }
  state.lastRendered.delete('providers');
  await refreshNow();
}

/** A confirmation that fades after a while (it stays in the live region long enough to be read out). */
function announceAction(text) {
  setMessage('action-status', text);
  setTimeout(() => {
    if (byId('action-status').textContent === text) setMessage('action-status', '');
  }, 10_000);
}

async function refreshNow() {
  stopPolling();
  // A round already running reschedules itself; wait for it rather than skip.
  while (state.refreshing) await new Promise((resolve) => setTimeout(resolve, 50));
  await refreshAll();
}

// ---------------------------------------------------------------- backlog

function renderBacklog(items) {
  const rows = items.length ? items.map(backlogRow) : [emptyRow(10, 'No open tickets.')];
  replaceKeepingFocus(byId('backlog-body'), rows);
}

function backlogRow(item) {
  const count = (name) =>
    el('td', { className: 'num', 'data-value': String(item[name] ?? 0) }, String(item[name] ?? 0));
  return el(
    'tr',
    { 'data-skill': item.skill, 'data-priority': item.priority },
    el('th', { scope: 'row' }, item.skill),
    el('td', {}, item.priority),
    count('received'),
    count('queued'),
    count('leased'),
    count('parked'),
    count('on_hold'),
    el(
      'td',
      { className: 'num', 'data-value': String(item.oldestAgeSeconds) },
      formatDuration(item.oldestAgeSeconds),
    ),
    el(
      'td',
      { className: item.atRisk > 0 ? 'num at-risk' : 'num', 'data-value': String(item.atRisk) },
      String(item.atRisk),
    ),
    // Lost: no provider can meet the due any more; these are the ones to escalate.
    el(
      'td',
      { className: item.lost > 0 ? 'num lost' : 'num', 'data-value': String(item.lost ?? 0) },
      String(item.lost ?? 0),
    ),
  );
}

// ---------------------------------------------------------------- SLA per target

const TARGET_LABELS = { pickup: 'Pickup', firstResponse: 'First response', resolution: 'Resolution' };

function renderSla(items) {
  const rows = items.length ? items.map(slaRow) : [emptyRow(10, 'No SLA outcomes in the last 7 days.')];
  replaceKeepingFocus(byId('sla-body'), rows);
}

function slaRow(item) {
  const count = (value, className = 'num') =>
    el('td', { className, 'data-value': String(value) }, String(value));
  const seconds = (value) =>
    el('td', { className: 'num', 'data-value': String(value ?? '') }, formatDuration(value));
  return el(
    'tr',
    { 'data-policy': item.policyId, 'data-priority': item.priority, 'data-target': item.target },
    el('th', { scope: 'row' }, item.policyId),
    el('td', {}, item.priority),
    el('td', {}, TARGET_LABELS[item.target] ?? item.target),
    count(item.tickets),
    count(item.met),
    count(item.breached, item.breached > 0 ? 'num at-risk' : 'num'),
    el(
      'td',
      { className: 'num', 'data-value': String(item.attainment ?? '') },
      formatAttainment(item.attainment),
    ),
    seconds(item.p50Seconds),
    seconds(item.p90Seconds),
    count(item.atRisk, item.atRisk > 0 ? 'num at-risk' : 'num'),
  );
}

// ---------------------------------------------------------------- hourly chart

/** Every hour key of the metrics window, oldest first ('2026-11-22T14', UTC). */
function windowHours(from, to) {
  const hours = [];
  const start = new Date(from);
  start.setUTCMinutes(0, 0, 0);
  for (let at = start.getTime(); at <= Date.parse(to); at += 3_600_000) {
    hours.push(new Date(at).toISOString().slice(0, 13));
  }
  return hours;
}

/** One provider's API value for a measure at each hour; an hour the API does not list had none. */
function seriesFor(item, measure, hours) {
  const byHour = new Map(item.hourly.map((row) => [row.hour, row[measure]]));
  return hours.map((hour) => byHour.get(hour) ?? 0);
}

function chartViews(items) {
  return [
    ...MEASURES.map((measure) => ({ value: `measure:${measure}`, label: `${measure} · by provider` })),
    ...items.map((item) => ({
      value: `provider:${item.providerId}`,
      label: `${item.name ?? item.providerId} · routed, completed, breached`,
    })),
  ];
}

function syncChartViewOptions(items) {
  const select = byId('chart-view');
  const views = chartViews(items);
  const selected = views.some((view) => view.value === select.value) ? select.value : views[0].value;
  select.replaceChildren(...views.map((view) => el('option', { value: view.value }, view.label)));
  select.value = selected;
  return selected;
}

function chartDatasets(view, items, hours) {
  const [kind, name] = view.split(/:(.*)/s);
  if (kind === 'measure') {
    return items.map((item, index) => ({
      label: item.name ?? item.providerId,
      data: seriesFor(item, name, hours),
      backgroundColor: PROVIDER_COLORS[index % PROVIDER_COLORS.length],
      stack: 'providers',
    }));
  }
  const item = items.find((candidate) => candidate.providerId === name);
  return MEASURES.map((measure) => ({
    label: measure,
    data: item ? seriesFor(item, measure, hours) : [],
    backgroundColor: MEASURE_COLORS[measure],
  }));
}

function chartSummary(view, items) {
  const [kind, name] = view.split(/:(.*)/s);
  if (kind === 'measure') {
    const parts = items.map((item) => `${item.name ?? item.providerId} ${item[name]}`);
    return `${name[0].toUpperCase()}${name.slice(1)} per hour, stacked by provider. Window totals: ${parts.join(', ') || 'no providers'}.`;
  }
  const item = items.find((candidate) => candidate.providerId === name);
  if (!item) return 'That provider no longer exists.';
  const totals = MEASURES.map((measure) => `${item[measure]} ${measure}`).join(', ');
  return `${item.name ?? item.providerId} per hour. Window totals: ${totals}.`;
}

function renderChart(items) {
  const metrics = state.metrics;
  if (!metrics) return;
  const view = syncChartViewOptions(items);
  const hours = windowHours(metrics.from, metrics.to);
  const summary = chartSummary(view, items);
  setMessage('chart-note', summary);
  const canvas = byId('hourly-chart');
  canvas.setAttribute('aria-label', summary);
  if (!window.Chart) return setMessage('chart-note', `${summary} (The chart library did not load.)`);
  const data = { labels: hours.map(hourLabel), datasets: chartDatasets(view, items, hours) };
  const stacked = view.startsWith('measure:');
  if (!state.chart) {
    state.chart = new window.Chart(canvas, chartConfig(data, stacked));
    return;
  }
  state.chart.data = data;
  state.chart.options.scales.x.stacked = stacked;
  state.chart.options.scales.y.stacked = stacked;
  state.chart.update('none');
}

function chartConfig(data, stacked) {
  return {
    type: 'bar',
    data,
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom' } },
      scales: {
        x: { stacked, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'tickets' } },
      },
    },
  };
}

function onChartViewChange() {
  state.lastRendered.delete('chart');
  if (state.metrics) renderIfChanged('chart', state.metrics.items, renderChart);
}

// ---------------------------------------------------------------- parked tickets

function renderParked({ items, cursor }) {
  const rows = items.length ? items.map(parkedRow) : [emptyRow(4, 'No parked tickets.')];
  replaceKeepingFocus(byId('parked-body'), rows);
  setMessage(
    'parked-more',
    cursor ? `Showing the ${items.length} oldest parked tickets; the backlog counts them all.` : '',
  );
}

function parkedRow(ticket) {
  return el(
    'tr',
    { 'data-ticket-id': ticket.ticketId },
    el(
      'th',
      { scope: 'row' },
      ticketLink(ticket.ticketId),
      el('span', { className: 'hint block' }, `${ticket.sourceId} · ${ticket.externalId}`),
    ),
    el('td', {}, `${ticket.skill} · ${ticket.priority}`),
    el('td', { className: 'num' }, formatDuration(secondsSince(ticket.createdAt))),
    el('td', {}, whyNotRouted(ticket.routing)),
  );
}

function ticketLink(ticketId) {
  return el(
    'button',
    {
      type: 'button',
      className: 'link ticket-link',
      title: ticketId,
      'aria-label': `Open ticket ${ticketId}`,
      'data-focus-key': `ticket:${ticketId}`,
      'data-ticket-id': ticketId,
      onclick: () => void openTicket(ticketId, { focus: true }),
    },
    `${ticketId.slice(0, 10)}…`,
  );
}

function whyNotRouted(routing) {
  if (!routing) return el('span', { className: 'hint' }, 'not decided yet');
  const candidates = routing.candidates.filter((candidate) => candidate.reasons?.length);
  if (!routing.candidates.length) return el('span', {}, `${routing.reason}: there are no providers.`);
  return el(
    'ul',
    { className: 'reason-list' },
    candidates.map((candidate) =>
      el(
        'li',
        {},
        el('span', { className: 'provider-ref' }, candidate.providerId),
        ' ',
        reasonCodes(candidate.reasons),
      ),
    ),
  );
}

function reasonCodes(reasons) {
  return reasons.map((reason) =>
    el('code', { className: 'reason', title: REASON_TEXT[reason] ?? reason }, reason),
  );
}

function renderReasonLegend() {
  const entries = Object.entries({ ...REASON_TEXT, ...WORK_TEXT }).flatMap(([code, text]) => [
    el('dt', {}, el('code', {}, code)),
    el('dd', {}, text),
  ]);
  byId('reason-legend').replaceChildren(...entries);
}

// ---------------------------------------------------------------- one ticket

function openTicketFromHash() {
  const match = /^#ticket=([0-9a-zA-Z-]+)$/.exec(location.hash);
  if (match) void openTicket(match[1], { focus: false });
}

async function openTicket(ticketId, { focus }) {
  state.ticketId = ticketId;
  state.lastRendered.delete('ticket');
  byId('ticket-id').value = ticketId;
  history.replaceState(null, '', `#ticket=${ticketId}`);
  setMessage('ticket-error', '');
  try {
    applyTicketResult({
      status: 'fulfilled',
      value: await apiRequest('GET', `/v1/tickets/${encodeURIComponent(ticketId)}`),
    });
  } catch (error) {
    applyTicketResult({ status: 'rejected', reason: error });
  }
  if (focus) byId('ticket-heading').focus();
}

function applyTicketResult(result) {
  if (result.status === 'fulfilled') {
    setMessage('ticket-error', '');
    renderIfChanged('ticket', result.value, renderTicket);
    return;
  }
  const error = result.reason;
  const notFound = error instanceof ApiError && error.status === 404;
  setMessage(
    'ticket-error',
    notFound ? `No ticket with id ${state.ticketId}.` : `Could not load the ticket: ${describeError(error)}`,
  );
  if (notFound) {
    state.lastRendered.delete('ticket');
    byId('ticket-view').replaceChildren();
  }
}

function onTicketFormSubmit(event) {
  event.preventDefault();
  const ticketId = byId('ticket-id').value.trim();
  if (!ticketId) return setMessage('ticket-error', 'Enter a ticket id.');
  void openTicket(ticketId, { focus: false });
}

function renderTicket(ticket) {
  replaceKeepingFocus(byId('ticket-view'), [
    ticketSummary(ticket),
    routingExplanation(ticket.routing, ticket.status),
    ticketHistory(ticket.history),
  ]);
}

function ticketSummary(ticket) {
  const fields = [
    ['Ticket id', el('code', { className: 'ticket-full-id' }, ticket.ticketId)],
    ['Status', badge(ticket.status, ticket.status)],
    ['SLA', badge(ticket.sla.state.replace('_', ' '), ticket.sla.state)],
    ['Provider', ticket.providerId ?? dash],
    ['Source · external id', `${ticket.sourceId} · ${ticket.externalId}`],
    ['Kind · skill · priority', `${ticket.kind} · ${ticket.skill} · ${ticket.priority}`],
    ['Subject', ticket.subject ?? dash],
    ['Created', timeElement(ticket.createdAt)],
    ['Due', timeElement(ticket.dueAt)],
    ['Routed', timeElement(ticket.routedAt)],
    ['Completed', timeElement(ticket.completedAt)],
    ['Attempts', String(ticket.attempts)],
    ['Effort', String(ticket.effort ?? 1)],
    ['On hold', holdSummary(ticket.hold)],
    ['SLA paused', formatDuration(ticket.sla.pausedSeconds ?? 0)],
  ];
  return el(
    'dl',
    { className: 'ticket-summary', 'data-ticket-id': ticket.ticketId, 'data-status': ticket.status },
    fields.map(([term, value]) => el('div', {}, el('dt', {}, term), el('dd', {}, value))),
  );
}

/** Why and since when a ticket is on hold, and until when (a dash when it is not). */
function holdSummary(hold) {
  if (!hold) return dash;
  return el(
    'span',
    { className: 'hold', 'data-reason': hold.reason },
    el('code', { title: WORK_TEXT[hold.reason] ?? hold.reason }, hold.reason),
    ' since ',
    timeElement(hold.since),
    hold.until ? ' until ' : ' · expires ',
    timeElement(hold.until ?? hold.expiresAt),
  );
}

function routingExplanation(routing, status) {
  const heading = el('h3', {}, 'Routing explanation');
  if (!routing)
    return el(
      'section',
      { className: 'routing' },
      heading,
      el('p', { className: 'hint' }, `Not routed yet (${status}).`),
    );
  const decision = routing.providerId
    ? [
        `Decided `,
        timeElement(routing.decidedAt),
        `: `,
        el('strong', {}, routing.providerId),
        ` (${routing.reason}).`,
      ]
    : [`Decided `, timeElement(routing.decidedAt), `: no provider (${routing.reason}).`];
  return el(
    'section',
    { className: 'routing' },
    heading,
    el('p', { className: 'routing-decision' }, decision),
    candidatesTable(routing),
  );
}

function candidatesTable(routing) {
  const head = ['Provider', 'Eligible', 'Score', 'Predicted completion', 'Factors', 'Reasons'];
  const rows = routing.candidates.map((candidate) => candidateRow(candidate, routing.providerId));
  return el(
    'div',
    { className: 'table-scroll' },
    el(
      'table',
      { className: 'candidates' },
      el('caption', { className: 'visually-hidden' }, 'Every provider considered, best first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          head.map((text) => el('th', { scope: 'col' }, text)),
        ),
      ),
      el('tbody', {}, rows.length ? rows : [emptyRow(6, 'No providers were considered.')]),
    ),
  );
}

function candidateRow(candidate, chosenId) {
  const chosen = candidate.providerId === chosenId;
  return el(
    'tr',
    {
      className: chosen ? 'chosen' : '',
      'data-candidate': candidate.providerId,
      'data-eligible': String(candidate.eligible),
      'aria-current': chosen ? 'true' : undefined,
    },
    el('th', { scope: 'row' }, candidate.providerId, chosen ? badge('chosen', 'chosen') : null),
    el('td', {}, candidate.eligible ? 'yes' : 'no'),
    el('td', { className: 'num' }, typeof candidate.score === 'number' ? String(candidate.score) : dash),
    el('td', {}, timeElement(candidate.predictedCompletionAt)),
    el('td', {}, candidate.factors ? factorList(candidate.factors) : dash),
    el(
      'td',
      { className: 'candidate-reasons' },
      candidate.reasons?.length ? reasonCodes(candidate.reasons) : dash,
    ),
  );
}

function factorList(factors) {
  return el(
    'dl',
    { className: 'factors' },
    FACTORS.filter((name) => factors[name] !== undefined).map((name) =>
      el('div', {}, el('dt', {}, name), el('dd', {}, String(factors[name]))),
    ),
  );
}

function ticketHistory(history) {
  const rows = history.map((entry) =>
    el(
      'tr',
      {},
      el('td', {}, timeElement(entry.at)),
      el('td', { title: WORK_TEXT[entry.event] ?? '' }, entry.event),
      el('td', {}, entry.providerId ?? dash),
      el('td', {}, [entry.reason, entry.note].filter(Boolean).join(' · ') || dash),
    ),
  );
  return el(
    'section',
    { className: 'history' },
    el('h3', {}, 'History'),
    el(
      'table',
      {},
      el('caption', { className: 'visually-hidden' }, 'What happened to the ticket, oldest first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['At', 'Event', 'Provider', 'Reason'].map((text) => el('th', { scope: 'col' }, text)),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
}

// ---------------------------------------------------------------- contracts (issue 10)

const CONTRACTS_REFRESH_MS = 30_000;
const TREND_PERIODS = 6;
const RATIO_METRICS = new Set([
  'sla_attainment',
  'quality_score',
  'reopen_rate',
  'rejection_rate',
  'hold_rate',
]);

/** The last 6 months and 4 quarters (local calendar), newest first; the current month selected. */
function periodOptions(now = new Date()) {
  const months = [];
  for (let i = 0; i < 6; i++) {
    const d = new Date(now.getFullYear(), now.getMonth() - i, 1);
    months.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`);
  }
  const quarters = [];
  for (let i = 0; i < 4; i++) {
    const d = new Date(now.getFullYear(), now.getMonth() - 3 * i, 1);
    quarters.push(`${d.getFullYear()}-Q${Math.floor(d.getMonth() / 3) + 1}`);
  }
  return [...months, ...quarters];
}

/** The period `steps` before this one (same kind). */
function previousPeriod(period, steps) {
  const [year, part] = period.split('-');
  if (part.startsWith('Q')) {
    const index = Number(year) * 4 + Number(part.slice(1)) - 1 - steps;
    return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
  }
  const index = Number(year) * 12 + Number(part) - 1 - steps;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function setUpContracts() {
  const select = byId('contracts-period');
  select.replaceChildren(...periodOptions().map((period) => el('option', { value: period }, period)));
  select.addEventListener('change', () => void refreshContracts(true));
  byId('contracts-csv').addEventListener('click', () => void downloadScorecardsCsv());
}

/** Scorecards of the chosen period and the ones before it (for the trend), every 30 s or on a new period. */
async function refreshContracts(force) {
  const period = byId('contracts-period').value;
  const fresh = state.contracts && Date.now() - state.contracts.loadedAt < CONTRACTS_REFRESH_MS;
  if (!force && fresh && state.contracts.period === period) return;
  state.contracts = { period, loadedAt: Date.now() };
  try {
    const periods = Array.from({ length: TREND_PERIODS }, (_, i) =>
      previousPeriod(period, TREND_PERIODS - 1 - i),
    );
    const answers = await Promise.all(
      periods.map((p) =>
        apiRequest('GET', `/v1/scorecards?period=${encodeURIComponent(p)}`).catch(() => ({ items: [] })),
      ),
    );
    if (byId('contracts-period').value !== period) return;
    const trend = new Map();
    answers.forEach((answer, index) => {
      for (const card of answer.items) {
        const rows = trend.get(card.providerId) ?? [];
        rows.push({ period: periods[index], card });
        trend.set(card.providerId, rows);
      }
    });
    renderIfChanged('contracts', { period, items: answers.at(-1).items, trend: [...trend] }, renderContracts);
    setMessage(
      'contracts-status',
      answers.at(-1).items.length ? '' : `No provider has a contract measured by ${period}.`,
    );
  } catch (error) {
    setMessage('contracts-status', `Could not load scorecards: ${describeError(error)}`);
  }
}

/** Green met, amber met by less than a point (or at risk), red missed, grey nothing measured. */
function kpiColour(kpi, card) {
  if (kpi.actual === null) return 'grey';
  if (!kpi.met) return 'red';
  if (card.projection?.kpisAtRisk?.includes(kpi.id)) return 'amber';
  const point = RATIO_METRICS.has(kpi.metric) ? 0.01 : kpi.metric === 'csat' ? 0.1 : 1;
  const margin = kpi.target !== undefined ? kpi.actual - kpi.target : kpi.max - kpi.actual;
  return margin < point ? 'amber' : 'green';
}

function formatKpi(kpi, value) {
  if (value === null || value === undefined) return dash;
  if (RATIO_METRICS.has(kpi.metric)) return `${(value * 100).toFixed(1)}%`;
  return kpi.metric === 'median_handle_minutes' ? `${value} min` : String(value);
}

function kpiTile(kpi, card) {
  const colour = kpiColour(kpi, card);
  const standard =
    kpi.target !== undefined ? `≥ ${formatKpi(kpi, kpi.target)}` : `≤ ${formatKpi(kpi, kpi.max)}`;
  return el(
    'li',
    {
      className: `kpi-tile kpi-${colour}`,
      'data-kpi': kpi.id,
      'data-colour': colour,
      title: `${kpi.metric}${kpi.priority ? ` ${kpi.priority}` : ''}${kpi.skill ? ` ${kpi.skill}` : ''}: ${
        kpi.met ? 'met' : `missed, credit ${kpi.credit}`
      }`,
    },
    el('span', {}, kpi.id),
    el('strong', {}, formatKpi(kpi, kpi.actual)),
    el('span', { className: 'hint' }, `${standard}${kpi.met ? '' : ` · −${kpi.credit}`}`),
  );
}

function moneyList(card) {
  const rows = [
    ['Completed', String(card.volume.completed)],
    ['Breached', String(card.volume.breached)],
    ['Fees', card.fees],
    ['Breach penalties', card.breachPenalties],
    ['KPI credits', card.kpiCredits],
    ['Credits applied', `${card.credits}${card.capApplied ? ' (capped)' : ''}`],
    ['Shortfall', card.shortfall],
    ['Net payable', card.netPayable],
    ...(card.adjustments.length ? [['With adjustments', card.netPayableWithAdjustments]] : []),
    ...(card.projection ? [['Projected net payable', card.projection.netPayable]] : []),
  ];
  return el(
    'dl',
    { className: 'contract-money' },
    rows.flatMap(([label, value]) => [el('dt', {}, label), el('dd', { 'data-field': label }, value)]),
  );
}

function renderContracts({ period, items, trend }) {
  for (const chart of state.contractCharts ?? []) chart.destroy();
  state.contractCharts = [];
  const trendOf = new Map(trend);
  const cards = items.map((card) => {
    const canvas = el('canvas', { role: 'img', 'aria-label': `KPI trend of ${card.providerId}` });
    const article = el(
      'article',
      { className: 'contract-card', 'data-provider': card.providerId },
      el('h3', {}, card.providerId),
      el(
        'p',
        { className: 'hint' },
        `${period} · ${card.final ? 'closed' : 'open'} · ${card.currency} · contract from ${card.contractVersion}`,
      ),
      el(
        'ul',
        { className: 'kpi-tiles' },
        card.kpis.map((kpi) => kpiTile(kpi, card)),
      ),
      moneyList(card),
      el('div', { className: 'trend-box' }, canvas),
    );
    const rows = trendOf.get(card.providerId) ?? [];
    const ratioKpis = card.kpis.filter((kpi) => RATIO_METRICS.has(kpi.metric));
    if (window.Chart && ratioKpis.length) {
      const labels = rows.map((row) => row.period);
      state.contractCharts.push(
        new window.Chart(canvas, {
          type: 'line',
          data: {
            labels,
            datasets: ratioKpis.map((kpi, index) => ({
              label: kpi.id,
              borderColor: PROVIDER_COLORS[index % PROVIDER_COLORS.length],
              data: rows.map((row) => {
                const actual = row.card.kpis.find((k) => k.id === kpi.id)?.actual;
                return typeof actual === 'number' ? actual * 100 : null;
              }),
            })),
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } },
            scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } },
          },
        }),
      );
    }
    return article;
  });
  byId('contracts-cards').replaceChildren(...cards);
}

async function downloadScorecardsCsv() {
  const period = byId('contracts-period').value;
  try {
    const response = await fetch(`/v1/scorecards?period=${encodeURIComponent(period)}&format=csv`, {
      headers: { authorization: `Bearer ${state.key}` },
    });
    if (!response.ok) throw new ApiError(response.status, 'error', response.statusText);
    const url = URL.createObjectURL(new Blob([await response.text()], { type: 'text/csv' }));
    const link = el('a', { href: url, download: `scorecards-${period}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    setMessage('contracts-status', `Could not download: ${describeError(error)}`);
  }
}

// ---------------------------------------------------------------- start

function start() {
  byId('sign-in-form').addEventListener('submit', (event) => void signIn(event));
  byId('sign-out').addEventListener('click', () => signOut(''));
  byId('refresh-now').addEventListener('click', () => void refreshNow());
  byId('ticket-form').addEventListener('submit', onTicketFormSubmit);
  byId('chart-view').addEventListener('change', onChartViewChange);
  document.addEventListener('visibilitychange', onVisibilityChange);
  window.addEventListener('hashchange', openTicketFromHash);
  renderReasonLegend();
  setUpContracts();
  if (state.key) showDashboard();
  else showSignIn('');
}

start();
