/** A hand-written SVG chart (no charting dependency): log-scale line panels from a results file. */

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

interface Panel {
  title: string;
  xTitle: string;
  yTitle: string;
  /** Tick positions and their labels on x (points use the same x values). */
  xTicks: [number, string][];
  logX: boolean;
  series: Series[];
  /** Horizontal reference lines (targets). */
  marks?: { y: number; label: string }[];
}

const W = 460;
const H = 320;
const M = { left: 58, right: 14, top: 34, bottom: 96 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 1000 ? `${v / 1000}s` : v >= 1 ? String(v) : String(v));

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.01 && v <= max * 1.01) ticks.push(Number(v.toPrecision(3)));
    }
  }
  return ticks;
}

function panel(p: Panel, ox: number): string {
  const ys = p.series
    .flatMap((s) => s.points.map(([, y]) => y))
    .concat((p.marks ?? []).map((m) => m.y))
    .filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const xs = p.xTicks.map(([x]) => x);
  const tx = (v: number) => (p.logX ? Math.log10(v) : v);
  const [x0, x1] = [Math.min(...xs.map(tx)), Math.max(...xs.map(tx))];
  const px = (x: number) => ox + M.left + ((tx(x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  const py = (y: number) => M.top + (1 - (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<text x="${ox + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const v of logTicks(yMin, yMax)) {
    out.push(`<line x1="${ox + M.left}" x2="${ox + W - M.right}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${ox + M.left - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const [x, label] of p.xTicks) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(label)}</text>`);
  }
  out.push(`<rect x="${ox + M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${ox + W / 2}" y="${H - M.bottom + 34}" text-anchor="middle">${esc(p.xTitle)}</text>`);
  out.push(`<text transform="translate(${ox + 14},${(H - M.bottom + M.top) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yTitle)}</text>`);
  for (const m of p.marks ?? []) {
    out.push(`<line x1="${ox + M.left}" x2="${ox + W - M.right}" y1="${py(m.y)}" y2="${py(m.y)}" stroke="#2ca02c" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${ox + W - M.right - 4}" y="${py(m.y) - 4}" text-anchor="end" fill="#2ca02c">${esc(m.label)}</text>`);
  }
  p.series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => y > 0);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const [x, y] of pts)
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.label}: ${y} ms`)}</title></circle>`);
    const lx = ox + M.left + (i % 2) * 200;
    const ly = H - M.bottom + 52 + Math.floor(i / 2) * 16;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 28}" y="${ly}">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

type Fig = { median: number; p90: number; p99: number; p999: number };

/**
 * The chart of one results file: settle-time percentiles (scenario 2), trace latency against body size
 * (scenario 3), settle p99 against offered rate (scenario 2's ramps) and a client's wait for its write
 * (scenario 7); each panel only when its scenario ran.
 */
export function chartSvg(results: {
  startedAt: string;
  mode: string;
  machine: { cores: number };
  scenarios: {
    settle?: {
      data: {
        steady: Record<string, { service: { settle: Fig }; floor: { settle: Fig } }>;
        ramp?: { service?: Record<string, { settle: Fig }>; floor?: Record<string, { settle: Fig }> };
      };
    };
    settleScaled?: { data: { processes: number; ramp: Record<string, { settle: Fig }> } };
    traceSettled?: { data: Record<string, unknown> };
    clientWait?: { data: Record<'steady' | 'batch100', { settle: Fig; polling: Fig; serverWait: Fig }> };
  };
}): string {
  const pcts: [number, string][] = [
    [0, 'p50'],
    [1, 'p90'],
    [2, 'p99'],
    [3, 'p99.9'],
  ];
  const perc = (f: Fig): [number, number][] => [f.median, f.p90, f.p99, f.p999].map((v, i) => [i, v]);
  const steady = results.scenarios.settle?.data.steady ?? {};
  const colors = ['#1f77b4', '#d62728', '#9467bd', '#8c564b'];
  const settleSeries: Series[] = Object.entries(steady).flatMap(([key, v], i) => [
    { label: `service ${key.replace('rate', '')}/s`, color: colors[i % 4], points: perc(v.service.settle) },
    { label: `floor ${key.replace('rate', '')}/s`, color: colors[i % 4], dashed: true, points: perc(v.floor.settle) },
  ]);
  const trace = (results.scenarios.traceSettled?.data ?? {}) as Record<string, { service: Fig; floor: Fig }>;
  const sizes = Object.keys(trace)
    .filter((k) => k.startsWith('pairs'))
    .map((k) => Number(k.slice(5)));
  const line = (side: 'service' | 'floor', q: 'median' | 'p99'): [number, number][] => sizes.map((n) => [n, trace[`pairs${n}`][side][q]]);
  const traceSeries: Series[] = [
    { label: 'trace median', color: '#1f77b4', points: line('service', 'median') },
    { label: 'trace p99', color: '#d62728', points: line('service', 'p99') },
    { label: 'floor median (SQL + mget)', color: '#1f77b4', dashed: true, points: line('floor', 'median') },
    { label: 'floor p99', color: '#d62728', dashed: true, points: line('floor', 'p99') },
  ];
  const panels: Panel[] = [];
  if (settleSeries.length > 0)
    panels.push({
      title: 'End-to-end settle time (202 -> ACTIVE in both stores)',
      xTitle: 'percentile',
      yTitle: 'ms (log)',
      xTicks: pcts,
      logX: false,
      series: settleSeries,
      marks: [{ y: 300, label: 'target p99 @1000/s' }],
    });
  if (sizes.length > 0)
    panels.push({
      title: 'Trace of settled writes',
      xTitle: 'urn/aspect pairs in the body (log)',
      yTitle: 'ms (log)',
      xTicks: sizes.map((n) => [n, String(n)]),
      logX: true,
      series: traceSeries,
    });
  // Settle p99 against the offered rate: the steady steps and every ramp step, per side.
  const byRate = (steps: Record<string, { settle: Fig }>): [number, number][] =>
    Object.entries(steps)
      .map(([k, v]): [number, number] => [Number(k.replace('rate', '')), v.settle.p99])
      .sort((a, b) => a[0] - b[0]);
  const steps = (side: 'service' | 'floor') => ({
    ...Object.fromEntries(Object.entries(steady).map(([k, v]) => [k, v[side]])),
    ...(results.scenarios.settle?.data.ramp?.[side] ?? {}),
  });
  const scaled = results.scenarios.settleScaled?.data;
  const rampSeries: Series[] = [
    { label: 'service, 1 process each', color: '#1f77b4', points: byRate(steps('service')) },
    { label: 'floor', color: '#1f77b4', dashed: true, points: byRate(steps('floor')) },
    ...(scaled ? [{ label: `service, ${scaled.processes} processes each`, color: '#d62728', points: byRate(scaled.ramp) }] : []),
  ];
  const rates = [...new Set(rampSeries.flatMap((x) => x.points.map(([r]) => r)))].sort((a, b) => a - b);
  if (rates.length > 0)
    panels.push({
      title: 'Settle p99 against offered rate (ramp)',
      xTitle: 'aspects/s offered (log)',
      yTitle: 'p99 ms (log)',
      xTicks: rates.map((r) => [r, r >= 1000 ? `${r / 1000}k` : String(r)]),
      logX: true,
      series: rampSeries,
    });
  // A client's wait for its write (scenario 7): percentiles of the server wait and of SDK-style polling beside the settle time.
  const waited = results.scenarios.clientWait?.data;
  if (waited)
    panels.push({
      title: 'Client wait for its write (request -> not PENDING)',
      xTitle: 'percentile',
      yTitle: 'ms (log)',
      xTicks: pcts,
      logX: false,
      series: (['steady', 'batch100'] as const).flatMap((k, i) => {
        const what = k === 'steady' ? '200/s' : 'batch 100';
        return [
          { label: `server wait ${what}`, color: colors[2 * i], points: perc(waited[k].serverWait) },
          { label: `polling ${what}`, color: colors[2 * i + 1], points: perc(waited[k].polling) },
          { label: `settle ${what}`, color: colors[2 * i], dashed: true, points: perc(waited[k].settle) },
        ];
      }),
      marks: [{ y: 2000, label: "the SDK's first sleep" }],
    });
  const width = Math.max(1, panels.length) * W;
  const caption = `${results.mode} run ${results.startedAt}, ${results.machine.cores} cores`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 14}" viewBox="0 0 ${width} ${H + 14}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * W)),
    `<text x="${width / 2}" y="${H + 8}" text-anchor="middle" fill="#666">${esc(caption)}</text>`,
    '</svg>',
  ].join('\n');
}
