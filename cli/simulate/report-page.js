// The simulation report's page script (inlined by report.ts): tables and Chart.js charts from the
// embedded data. Plain browser JavaScript, no modules, no network.
/* global document, Option, Chart */
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const PALETTE = ['#0b5cad', '#d1495b', '#2a9d8f', '#e9a03b', '#6a4c93', '#5b6670', '#8ab17d', '#b5651d'];
  const colour = (i) => PALETTE[i % PALETTE.length];
  const pct = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`);
  const loadName = (load) => `${Math.round(load * 100)}% load`;
  const rowOf = (label, load) => data.rows.find((row) => row.label === label && row.load === load);
  const detailOf = (label, load) => data.details.find((item) => item.label === label && item.load === load);
  const percentAxis = { min: 0, max: 1, ticks: { callback: (value) => `${Math.round(value * 100)}%` } };
  const charts = {};

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false },
      config.options,
    );
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    return element;
  }

  // ---- context line and summary table
  const providers = data.context.providers.map((p) => `${p.name} (${p.timeZone})`).join(', ');
  document.getElementById('context').textContent =
    `Trace ${data.context.trace}: ${data.context.tickets} tickets before scaling. Providers: ${providers}. ` +
    data.notes.join(' ');

  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const name of [
    'policy',
    'load',
    'seeds',
    'tickets',
    'on time',
    ...data.priorities,
    'cost/ticket',
    'unfinished',
    'lost',
    'rebalanced',
  ])
    head.appendChild(text('th', name));
  const body = table.createTBody();
  const byLoad = [...data.rows].sort(
    (a, b) => a.load - b.load || data.labels.indexOf(a.label) - data.labels.indexOf(b.label),
  );
  byLoad.forEach((row, i) => {
    const tr = body.insertRow();
    if (i > 0 && byLoad[i - 1].load !== row.load) tr.className = 'load-start';
    const cells = [
      row.label,
      `${Math.round(row.load * 100)}%`,
      row.seeds.join(', '),
      Math.round(row.tickets).toLocaleString('en'),
      pct(row.onTime),
      ...data.priorities.map((priority) => pct(row.byPriority[priority])),
      row.costPerTicket === null ? '–' : row.costPerTicket.toFixed(2),
      pct(row.unfinished),
      String(Math.round(row.lost)),
      String(Math.round(row.rebalanced)),
    ];
    for (const cell of cells) tr.appendChild(text('td', cell));
  });
  document.getElementById('summary').appendChild(table);

  // ---- across loads: one bar per policy and load
  const perLoad = (value) =>
    data.loads.map((load, i) => ({
      label: loadName(load),
      backgroundColor: colour(i),
      data: data.labels.map((label) => {
        const row = rowOf(label, load);
        return row ? value(row) : null;
      }),
    }));
  draw('on-time', {
    type: 'bar',
    data: { labels: data.labels, datasets: perLoad((row) => row.onTime) },
    options: { scales: { y: percentAxis } },
  });
  draw('cost', {
    type: 'bar',
    data: { labels: data.labels, datasets: perLoad((row) => row.costPerTicket) },
    options: { scales: { y: { beginAtZero: true } } },
  });

  // ---- one load (and one policy) at a time
  const loadSelect = document.getElementById('load-select');
  const policySelect = document.getElementById('policy-select');
  data.loads.forEach((load, i) => loadSelect.appendChild(new Option(loadName(load), String(i))));
  data.labels.forEach((label, i) => policySelect.appendChild(new Option(label, String(i))));
  // The middle load shows the interesting regime (near full capacity) first.
  loadSelect.value = String(Math.floor((data.loads.length - 1) / 2));

  function drawDetails() {
    const load = data.loads[Number(loadSelect.value)];
    const policy = data.labels[Number(policySelect.value)];
    const details = data.labels.map((label) => detailOf(label, load)).filter(Boolean);

    draw('by-priority', {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.priorities.map((priority, i) => ({
          label: priority,
          backgroundColor: colour(i),
          data: data.labels.map((label) => {
            const row = rowOf(label, load);
            return row ? row.byPriority[priority] : null;
          }),
        })),
      },
      options: { scales: { y: percentAxis } },
    });

    const weeks = [...new Set(details.flatMap((item) => item.byWeek.map((week) => week.weekStart)))].sort();
    draw('by-week', {
      type: 'line',
      data: {
        labels: weeks,
        datasets: details.map((item, i) => ({
          label: item.label,
          borderColor: colour(i),
          backgroundColor: colour(i),
          data: weeks.map((weekStart) => {
            const week = item.byWeek.find((entry) => entry.weekStart === weekStart);
            return week ? week.onTime : null;
          }),
        })),
      },
      options: { scales: { y: percentAxis } },
    });

    const chosen = detailOf(policy, load);
    const providerIds = chosen ? Object.keys(chosen.utilizationByHour) : [];
    draw('utilization', {
      type: 'line',
      data: {
        labels: Array.from({ length: 24 }, (_, hour) => `${String(hour).padStart(2, '0')}:00`),
        datasets: providerIds.map((id, i) => ({
          label: `${id} (${pct(chosen.utilization[id])} overall)`,
          borderColor: colour(i),
          backgroundColor: colour(i),
          data: chosen.utilizationByHour[id],
        })),
      },
      options: {
        scales: { y: percentAxis },
        plugins: { title: { display: true, text: `${policy}, ${loadName(load)}` } },
      },
    });

    const shareIds = details.length ? Object.keys(details[0].shares) : [];
    draw('shares', {
      type: 'bar',
      data: {
        labels: shareIds,
        datasets: [
          {
            label: 'target',
            backgroundColor: '#1d2329',
            data: shareIds.map((id) => details[0].shares[id].target),
          },
          ...details.map((item, i) => ({
            label: item.label,
            backgroundColor: colour(i),
            data: shareIds.map((id) => item.shares[id].actual),
          })),
        ],
      },
      options: { scales: { y: percentAxis } },
    });

    // The first bucket (on time) dwarfs the others: its share goes in the legend, the bars show the late ones.
    draw('lateness', {
      type: 'bar',
      data: {
        labels: data.latenessBuckets.slice(1),
        datasets: details.map((item, i) => ({
          label: `${item.label} (${pct(item.lateness[0])} on time)`,
          backgroundColor: colour(i),
          data: item.lateness.slice(1),
        })),
      },
      options: { scales: { y: { beginAtZero: true, ticks: { callback: (value) => pct(value) } } } },
    });
  }

  loadSelect.addEventListener('change', drawDetails);
  policySelect.addEventListener('change', drawDetails);
  drawDetails();
})();
