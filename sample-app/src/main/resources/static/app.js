'use strict';

// The herd demo page: runs POST /demo/herd and /demo/token-herd, draws both runs, and polls the
// collapse meters. Every meter and the collapse endpoint may be missing (another module provides
// them): a missing one shows "n/a", never an error. A run started elsewhere (curl, another tab) is
// read back from GET /demo/herd/latest and /demo/token-herd/latest and shown as well.

const SVG = 'http://www.w3.org/2000/svg';
const $ = (selector) => document.querySelector(selector);

function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function postForm(url, params) {
  const response = await fetch(url + '?' + new URLSearchParams(params), {
    method: 'POST',
    headers: { Accept: 'application/json' },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.detail || ('HTTP ' + response.status));
  }
  return body;
}

function fillRows(table, runs) {
  for (const run of runs) {
    const mode = run.mode.endsWith('off') ? 'off' : 'on';
    const row = table.querySelector(`tr[data-mode="${mode}"]`);
    const cells = {
      requests: formatNumber(run.requests),
      queries: formatNumber(run.upstreamCalls),
      p50: formatNumber(run.p50Ms, 1),
      p99: formatNumber(run.p99Ms, 1),
      max: formatNumber(run.maxMs, 1),
      errors: formatNumber(run.errors),
    };
    for (const [name, text] of Object.entries(cells)) {
      const cell = row.querySelector('.' + name);
      if (cell) {
        cell.textContent = text;
      }
    }
    const errors = row.querySelector('.errors');
    errors.title = Object.entries(run.errorTypes).map(([type, count]) => `${count} × ${type}`).join('\n');
    errors.classList.toggle('error', run.errors > 0);
  }
}

function clearRows(table) {
  table.querySelectorAll('tbody td').forEach((cell) => { cell.textContent = ''; });
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, value);
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

// Width of a label as drawn; an estimate where the chart is not rendered (nothing to measure).
function textWidth(text) {
  return text.getComputedTextLength() || text.textContent.length * 7;
}

// Horizontal bars on a linear scale: 1 query next to 2,000 is meant to look like nothing. The
// labels are measured first and the bars get the width they leave, so that the value of the
// longest bar (10,000 ms and more in a default run) stays inside the chart.
function drawBars(svg, bars, unit) {
  svg.replaceChildren();
  const chartWidth = svg.viewBox.baseVal.width;
  const rowHeight = 120 / bars.length;
  const names = bars.map((bar) => svg.appendChild(svgElement('text', { x: 4 }, bar.label)));
  const values = bars.map((bar) => svg.appendChild(svgElement('text', {},
    formatNumber(bar.value, unit === 'ms' ? 1 : 0) + (unit ? ' ' + unit : ''))));
  const left = 4 + Math.max(...names.map(textWidth)) + 8;
  const width = Math.max(20, chartWidth - left - 4 - Math.max(...values.map(textWidth)) - 6);
  const largest = Math.max(...bars.map((bar) => bar.value), 1);
  bars.forEach((bar, index) => {
    const y = 5 + index * rowHeight;
    const length = Math.max(2, (bar.value / largest) * width);
    names[index].setAttribute('y', y + rowHeight / 2 + 4);
    svg.append(svgElement('rect', {
      x: left, y: y + 3, width: length, height: rowHeight - 6, rx: 2, class: bar.className,
    }));
    values[index].setAttribute('x', left + length + 4);
    values[index].setAttribute('y', y + rowHeight / 2 + 4);
  });
}

function drawCharts(runs) {
  const [off, on] = runs;
  drawBars($('#chart-queries'), [
    { label: 'collapsing off', value: off.upstreamCalls, className: 'bar-off' },
    { label: 'collapsing on', value: on.upstreamCalls, className: 'bar-on' },
  ]);
  drawBars($('#chart-latency'), [
    { label: 'off p50', value: off.p50Ms, className: 'bar-off' },
    { label: 'off p99', value: off.p99Ms, className: 'bar-off bar-p99' },
    { label: 'on p50', value: on.p50Ms, className: 'bar-on' },
    { label: 'on p99', value: on.p99Ms, className: 'bar-on bar-p99' },
  ], 'ms');
}

// The number of the report each demo's panel shows, and whether this page is running that demo
// now (its own result is shown when its POST returns; a poll meanwhile would show the one before).
const shown = { herd: 0, token: 0 };
const running = { herd: false, token: false };

function showHerd(report) {
  shown.herd = report.number;
  fillRows($('#results'), report.runs);
  drawCharts(report.runs);
  $('#setup').textContent = `${report.subject}: ${formatNumber(report.requests)} requests per run, `
    + `${report.threads}, query delay ${formatNumber(report.upstreamDelayMs)} ms, `
    + `${report.connectionPool} DB connections, ${report.cpus} CPUs, JDK ${report.jdk}`
    + (report.collapseEnabled ? '' : ' (collapse.enabled=false: the "on" run is not collapsed either)');
}

function showTokens(report) {
  shown.token = report.number;
  fillRows($('#token-results'), report.runs);
}

function finishedAt(report) {
  return new Date(report.finishedAt).toLocaleTimeString();
}

async function runDemo(event) {
  event.preventDefault();
  const button = $('#run-herd');
  const status = $('#status');
  const started = performance.now();
  const ticker = setInterval(() => {
    status.textContent = `running both herds… ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }, 500);
  button.disabled = true;
  running.herd = true;
  status.classList.remove('error');
  status.textContent = 'running both herds…';
  clearRows($('#results'));
  try {
    showHerd(await postForm('/demo/herd', { requests: $('#requests').value, product: $('#product').value }));
    status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  } catch (failure) {
    status.textContent = 'failed: ' + failure.message;
    status.classList.add('error');
  } finally {
    clearInterval(ticker);
    running.herd = false;
    button.disabled = false;
  }
}

async function runTokenDemo(event) {
  event.preventDefault();
  const button = $('#run-token');
  const status = $('#token-status');
  button.disabled = true;
  running.token = true;
  status.classList.remove('error');
  status.textContent = 'running…';
  clearRows($('#token-results'));
  try {
    showTokens(await postForm('/demo/token-herd', { callers: $('#callers').value }));
    status.textContent = 'done';
  } catch (failure) {
    status.textContent = 'failed: ' + failure.message;
    status.classList.add('error');
  } finally {
    running.token = false;
    button.disabled = false;
  }
}

// The last run of a demo, if it is one this page has not shown: 204 before the first run.
async function unseenRun(url, seen) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (response.status !== 200) {
    return null;
  }
  const report = await response.json();
  return (report.number > seen) ? report : null;
}

async function pollLatestRuns() {
  try {
    const herd = running.herd ? null : await unseenRun('/demo/herd/latest', shown.herd);
    if (herd && !running.herd) {
      showHerd(herd);
      $('#status').classList.remove('error');
      $('#status').textContent = `last run (#${herd.number}), done at ${finishedAt(herd)}`;
    }
    const tokens = running.token ? null : await unseenRun('/demo/token-herd/latest', shown.token);
    if (tokens && !running.token) {
      showTokens(tokens);
      $('#token-status').classList.remove('error');
      $('#token-status').textContent = `last run (#${tokens.number}), done at ${finishedAt(tokens)}`;
    }
  } catch (ignored) {
    // the next poll tries again
  }
}

async function loadProducts() {
  try {
    const response = await fetch('/api/products');
    if (!response.ok) {
      return;
    }
    const select = $('#product');
    select.replaceChildren();
    for (const product of await response.json()) {
      const option = document.createElement('option');
      option.value = product.id;
      option.textContent = `${product.id}: ${product.name}`;
      select.append(option);
    }
  } catch (ignored) {
    // the default option stays
  }
}

// ---- live metrics

// One meter, narrowed by tags: null when the meter or the tag combination does not exist (404).
async function meter(name, tags) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(tags || {})) {
    query.append('tag', `${key}:${value}`);
  }
  const response = await fetch(`/actuator/metrics/${name}?${query}`, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    return null;
  }
  const body = await response.json();
  const statistics = {};
  for (const measurement of body.measurements || []) {
    statistics[measurement.statistic] = measurement.value;
  }
  return statistics;
}

// A statistic of an instance's meter: "n/a" when the meter is not registered at all, 0 when it is
// but this instance or tag has not been used yet.
async function statistic(name, instance, tags, key) {
  const narrowed = await meter(name, { name: instance, ...tags });
  if (narrowed) {
    return narrowed[key] ?? null;
  }
  return (await meter(name)) ? 0 : null;
}

function show(id, value, digits = 0) {
  $(id).textContent = (value === null || value === undefined) ? 'n/a' : formatNumber(value, digits);
}

let polling = false;

async function pollMetrics() {
  if (polling) {
    return;
  }
  polling = true;
  const instance = $('#instance').value;
  try {
    const results = ['hit', 'leader', 'follower', 'remote', 'stale', 'fallback', 'failure'];
    const calls = await Promise.all(results.map((result) => statistic('collapse.calls', instance, { result }, 'COUNT')));
    results.forEach((result, index) => show('#m-calls-' + result, calls[index]));

    const [success, error] = await Promise.all([
      statistic('collapse.loads', instance, { outcome: 'success' }, 'COUNT'),
      statistic('collapse.loads', instance, { outcome: 'error' }, 'COUNT'),
    ]);
    $('#m-loads').textContent = (success === null) ? 'n/a' : `${formatNumber(success)} / ${formatNumber(error ?? 0)}`;

    const [herdSize, wait, inflight, refreshes, queries] = await Promise.all([
      // a distribution summary shows COUNT and TOTAL under /actuator/metrics, no MAX (Micrometer 1.16)
      meter('collapse.herd.size', { name: instance }),
      statistic('collapse.wait', instance, {}, 'MAX'),
      statistic('collapse.inflight', instance, {}, 'VALUE'),
      statistic('collapse.refreshes', instance, {}, 'COUNT'),
      meter('sample.db.queries').then((found) => (found ? found.COUNT : null)),
    ]);
    show('#m-herd-mean', herdSize ? ((herdSize.COUNT > 0) ? herdSize.TOTAL / herdSize.COUNT : 0) : null, 1);
    // timers report seconds; the page shows milliseconds
    show('#m-wait', wait === null ? null : wait * 1000, 1);
    show('#m-inflight', inflight);
    show('#m-refreshes', refreshes);
    show('#m-db', queries);

    // the largest herds are the endpoint's: GET /actuator/collapse keeps them per instance, largest first
    const endpoint = await fetch('/actuator/collapse', { headers: { Accept: 'application/json' } });
    if (endpoint.ok) {
      const body = await endpoint.json();
      const herds = body.instances?.[instance]?.herds;
      show('#m-herd', herds ? (herds.length > 0 ? herds[0].callers : 0) : null);
      $('#endpoint-state').textContent = `available, Redis layer ${body.redis?.state ?? 'n/a'}`;
      $('#endpoint-body').textContent = JSON.stringify(body, null, 2);
    } else {
      show('#m-herd', null);
      $('#endpoint-state').textContent = 'n/a';
      $('#endpoint-body').textContent = `not exposed by this build (HTTP ${endpoint.status})`;
    }
    $('#metrics-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (failure) {
    $('#metrics-updated').textContent = 'metrics unavailable: ' + failure.message;
  } finally {
    polling = false;
  }
}

$('#herd-form').addEventListener('submit', runDemo);
$('#token-form').addEventListener('submit', runTokenDemo);
$('#instance').addEventListener('change', pollMetrics);
loadProducts();
pollMetrics();
pollLatestRuns();
setInterval(() => {
  pollMetrics();
  pollLatestRuns();
}, 2000);
