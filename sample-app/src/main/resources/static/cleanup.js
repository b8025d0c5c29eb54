// The cleanup job's runs on this instance, refreshed every 2 s.
(function () {
  const outcomes = document.getElementById('cleanup-outcomes');
  const list = document.getElementById('cleanup-runs');

  async function refresh() {
    try {
      const response = await fetch('/api/cleanup', { headers: { Accept: 'application/json' } });
      const body = await response.json();
      const counts = body.outcomes;
      outcomes.textContent = `fire times here: run ${counts.run ?? 0}, skipped ${counts.skipped ?? 0}, ` +
        `failed ${counts.failed ?? 0}, lost ${counts.lost ?? 0}`;
      list.replaceChildren(...body.runs.map((run) => {
        const item = document.createElement('li');
        item.textContent = `fire time ${run.fireTime} ran here at ${run.startedAt}`;
        return item;
      }));
    } catch (error) {
      outcomes.textContent = 'n/a';
    }
  }

  refresh();
  setInterval(refresh, 2000);
})();
