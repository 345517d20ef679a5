// The simulation report: one self-contained HTML file (Chart.js and the page script inlined, no network),
// the means over seeds per policy and load, and the series behind each chart.
import { readFile } from 'node:fs/promises';
import { PRIORITIES } from '../../shared/domain/schemas.js';
import { LATENESS_BUCKETS, type SimProviderConfig } from '../../shared/simulation/types.js';
import type { RunOutcome } from './pool.js';
import { meanRows, type SummaryRow } from './summary.js';

const CHART_JS = new URL('../../node_modules/chart.js/dist/chart.umd.min.js', import.meta.url);
const PAGE_SCRIPT = new URL('./report-page.js', import.meta.url);

export interface ReportContext {
  trace: string;
  providers: readonly SimProviderConfig[];
  /** Tickets in the trace before scaling. */
  tickets: number;
  /** Anything else worth a line at the top (scenario, wall time). */
  notes?: string[];
}

/** The series of one policy at one load, each a mean over its seeds. */
interface Detail {
  label: string;
  load: number;
  byWeek: { weekStart: string; onTime: number }[];
  utilizationByHour: Record<string, number[]>;
  utilization: Record<string, number>;
  shares: Record<string, { target: number | null; actual: number }>;
  /** Share of completed tickets per lateness bucket. */
  lateness: number[];
}

export interface ReportData {
  title: string;
  context: {
    trace: string;
    tickets: number;
    providers: { providerId: string; name: string; timeZone: string }[];
  };
  notes: string[];
  labels: string[];
  loads: number[];
  priorities: readonly string[];
  latenessBuckets: string[];
  rows: SummaryRow[];
  details: Detail[];
}

const average = (values: number[]) =>
  values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;

/** Mean of equally long number lists, element by element. */
const averageSeries = (series: number[][]) =>
  Array.from({ length: Math.max(0, ...series.map((values) => values.length)) }, (_, i) =>
    average(series.map((values) => values[i] ?? 0)),
  );

function bucketName(bound: number, index: number): string {
  if (index === 0) return 'on time';
  const previous = LATENESS_BUCKETS[index - 1]!;
  const minutes = (value: number) =>
    value >= 1440 ? `${value / 1440} d` : value >= 60 ? `${value / 60} h` : `${value} min`;
  return Number.isFinite(bound) ? `≤ ${minutes(bound)} late` : `> ${minutes(previous)} late`;
}

function detailOf(runs: RunOutcome[]): Detail {
  const providerIds = Object.keys(runs[0]!.utilization);
  const weeks = new Map<string, number[]>();
  for (const run of runs) {
    for (const week of run.byWeek) {
      weeks.set(week.weekStart, [
        ...(weeks.get(week.weekStart) ?? []),
        week.tickets ? week.onTime / week.tickets : 0,
      ]);
    }
  }
  const lateness = runs.reduce<number[]>(
    (sum, run) => run.lateness.map((count, i) => count + (sum[i] ?? 0)),
    [],
  );
  const completed = lateness.reduce((sum, count) => sum + count, 0);
  return {
    label: runs[0]!.label,
    load: runs[0]!.load,
    byWeek: [...weeks.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([weekStart, values]) => ({ weekStart, onTime: average(values) })),
    utilizationByHour: Object.fromEntries(
      providerIds.map((id) => [id, averageSeries(runs.map((run) => run.utilizationByHour[id] ?? []))]),
    ),
    utilization: Object.fromEntries(
      providerIds.map((id) => [id, average(runs.map((run) => run.utilization[id] ?? 0))]),
    ),
    shares: Object.fromEntries(
      providerIds.map((id) => [
        id,
        {
          target: runs[0]!.shares[id]?.target ?? null,
          actual: average(runs.map((run) => run.shares[id]?.actual ?? 0)),
        },
      ]),
    ),
    lateness: lateness.map((count) => (completed ? count / completed : 0)),
  };
}

export function reportData(runs: readonly RunOutcome[], context: ReportContext): ReportData {
  const groups = new Map<string, RunOutcome[]>();
  for (const run of runs) {
    const key = `${run.label}\u0000${run.load}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return {
    title: 'Outroute routing simulation',
    context: {
      trace: context.trace,
      tickets: context.tickets,
      providers: context.providers.map((provider) => ({
        providerId: provider.providerId,
        name: provider.name ?? provider.providerId,
        timeZone: provider.timeZone,
      })),
    },
    notes: context.notes ?? [],
    labels: [...new Set(runs.map((run) => run.label))],
    loads: [...new Set(runs.map((run) => run.load))].sort((a, b) => a - b),
    priorities: PRIORITIES,
    latenessBuckets: LATENESS_BUCKETS.map(bucketName),
    // NaN (a priority without tickets) has no JSON form: null reads as "no data" on the page.
    rows: meanRows(runs),
    details: [...groups.values()].map(detailOf),
  };
}

/** JSON that cannot close the <script> element it sits in. */
const embeddable = (value: unknown) =>
  JSON.stringify(value, (_key, item) =>
    typeof item === 'number' && !Number.isFinite(item) ? null : item,
  ).replace(/</g, '\\u003c');

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

const STYLE = `
  :root { --text: #1d2329; --muted: #5b6670; --border: #d8dee4; --bg: #f4f6f8; --panel: #fff; }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 1.5rem; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;
         color: var(--text); background: var(--bg); }
  main { max-width: 1200px; margin: 0 auto; }
  h1 { font-size: 1.4rem; margin: 0 0 0.3rem; }
  h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
  p.hint { color: var(--muted); margin: 0.2rem 0 0.6rem; }
  section { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 1rem 1.2rem;
            margin: 1rem 0; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem; }
  .grid > section { margin: 0; }
  .chart { position: relative; height: 300px; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--border); text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; }
  thead th { background: #eef1f4; }
  tr.load-start td { border-top: 2px solid #aab4be; }
  label { margin-right: 1rem; }
  select { font: inherit; padding: 0.15rem 0.3rem; }
  .controls { position: sticky; top: 0; z-index: 1; background: var(--bg); padding: 0.5rem 0; }
`;

export function reportHtml(data: ReportData, chartJs: string, pageScript: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>${escapeHtml(data.title)}</h1>
  <p class="hint" id="context"></p>
  <section>
    <h2>Summary: mean over seeds</h2>
    <p class="hint">Load is the offered work as a share of the providers’ weekly open-hour capacity. On time counts unfinished tickets as late; cost per ticket is over completed tickets.</p>
    <div id="summary"></div>
  </section>
  <div class="grid">
    <section><h2>On time, all tickets</h2><div class="chart"><canvas id="on-time"></canvas></div></section>
    <section><h2>Cost per completed ticket</h2><div class="chart"><canvas id="cost"></canvas></div></section>
  </div>
  <div class="controls">
    <label>Load <select id="load-select"></select></label>
    <label>Policy (utilisation) <select id="policy-select"></select></label>
  </div>
  <div class="grid">
    <section><h2>On time by priority</h2><div class="chart"><canvas id="by-priority"></canvas></div></section>
    <section><h2>On time by week</h2><div class="chart"><canvas id="by-week"></canvas></div></section>
    <section><h2>Utilisation by hour of day (UTC)</h2><p class="hint">Busy share of each provider’s open time in that hour.</p><div class="chart"><canvas id="utilization"></canvas></div></section>
    <section><h2>Routed share vs target</h2><div class="chart"><canvas id="shares"></canvas></div></section>
    <section><h2>Lateness of completed tickets</h2><p class="hint">Share of completed tickets in each band of lateness after due.</p><div class="chart"><canvas id="lateness"></canvas></div></section>
  </div>
</main>
<script type="application/json" id="report-data">${embeddable(data)}</script>
<script>${chartJs}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}

export async function renderReport(runs: readonly RunOutcome[], context: ReportContext): Promise<string> {
  const [chartJs, pageScript] = await Promise.all([
    readFile(CHART_JS, 'utf8'),
    readFile(PAGE_SCRIPT, 'utf8'),
  ]);
  return reportHtml(reportData(runs, context), chartJs, pageScript);
}
