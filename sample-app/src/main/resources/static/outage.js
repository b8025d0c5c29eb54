'use strict';

// The outage demo: runs POST /demo/outage and plots the authorization server's requests per second
// over time for the three runs (collapsing off, on, on with failure-ttl), on a log scale so that a
// flood of thousands and a trickle of two per second both stay readable. Uses $, svgElement,
// postForm and formatNumber from app.js.

const OUTAGE_RUNS = { off: 'line-off', on: 'line-on', 'failure-ttl': 'line-ttl' };

function drawOutageChart(svg, report) {
  svg.replaceChildren();
  const width = svg.viewBox.baseVal.width;
  const height = svg.viewBox.baseVal.height;
  const left = 52;
  const right = width - 12;
  const top = 12;
  const bottom = height - 30;
  const perSecond = 1000 / report.bucketMs;
  const series = report.runs.map((run) => run.requestsPerBucket.map((count) => count * perSecond));
  const largest = Math.max(10, ...series.flat());
  const decades = Math.ceil(Math.log10(largest + 1));
  const x = (ms) => left + (ms / report.durationMs) * (right - left);
  // log scale: 0 at the bottom, 10^decades at the top
  const y = (value) => bottom - (Math.log10(value + 1) / decades) * (bottom - top);

  svg.append(svgElement('rect', {
    x: x(report.outageFromMs), y: top, width: x(report.outageToMs) - x(report.outageFromMs),
    height: bottom - top, class: 'outage-band',
  }));
  svg.append(svgElement('text', { x: x(report.outageFromMs) + 4, y: top + 12, class: 'outage-label' },
    'authorization server down'));
  for (let decade = 0; decade <= decades; decade++) {
    const value = 10 ** decade;
    svg.append(svgElement('line', { x1: left, x2: right, y1: y(value), y2: y(value), class: 'grid' }));
    svg.append(svgElement('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, formatNumber(value)));
  }
  svg.append(svgElement('text', { x: 4, y: bottom + 16, class: 'axis-label' }, 'req/s'));
  for (let second = 0; second * 1000 <= report.durationMs; second++) {
    svg.append(svgElement('text', { x: x(second * 1000), y: bottom + 16, 'text-anchor': 'middle' }, `${second} s`));
  }
  report.runs.forEach((run, index) => {
    const points = series[index].map((value, bucket) => {
      const from = bucket * report.bucketMs;
      return `${x(from)},${y(value)} ${x(Math.min(report.durationMs, from + report.bucketMs))},${y(value)}`;
    });
    svg.append(svgElement('polyline', {
      points: points.join(' '), class: 'series ' + OUTAGE_RUNS[run.mode], 'data-mode': run.mode,
    }));
  });
}

function showOutage(report) {
  const table = $('#outage-results');
  for (const run of report.runs) {
    const row = table.querySelector(`tr[data-mode="${run.mode}"]`);
    const peak = Math.max(...run.requestsPerBucket) * (1000 / report.bucketMs);
    row.querySelector('.total').textContent = formatNumber(run.upstreamRequests);
    row.querySelector('.storm').textContent = formatNumber(run.outageRequests);
    row.querySelector('.peak').textContent = formatNumber(peak);
    row.querySelector('.failures').textContent = formatNumber(run.failures);
  }
  drawOutageChart($('#chart-outage'), report);
  $('#outage-setup').textContent = `${formatNumber(report.callers)} callers for ${report.durationMs / 1000} s each run, `
    + `server down from ${report.outageFromMs / 1000} s to ${report.outageToMs / 1000} s; `
    + 'a caller asks again 100 ms after a token, 10 ms after a failure';
}

async function runOutageDemo(event) {
  event.preventDefault();
  const button = $('#run-outage');
  const status = $('#outage-status');
  const started = performance.now();
  button.disabled = true;
  status.classList.remove('error');
  status.textContent = 'running three runs…';
  try {
    showOutage(await postForm('/demo/outage', { callers: $('#outage-callers').value }));
    status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  } catch (failure) {
    status.textContent = 'failed: ' + failure.message;
    status.classList.add('error');
  } finally {
    button.disabled = false;
  }
}

$('#outage-form').addEventListener('submit', runOutageDemo);
