/** A measured figure: its unit, how many samples, and their median and p99 (plus a few more for the chart). */
export interface Figure {
  unit: string;
  n: number;
  median: number;
  p99: number;
  p90: number;
  p999: number;
  min: number;
  max: number;
  mean: number;
  /** For rates: the overall figure (total / elapsed); median and p99 are then over fixed windows. */
  value?: number;
}

/** The q-quantile (0..1) of ascending `sorted`, interpolating between the two nearest ranks. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

export function summarize(samples: number[], unit: string, value?: number): Figure {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    unit,
    n: s.length,
    median: round(quantile(s, 0.5)),
    p99: round(quantile(s, 0.99)),
    p90: round(quantile(s, 0.9)),
    p999: round(quantile(s, 0.999)),
    min: round(s[0] ?? NaN),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(mean),
    ...(value !== undefined ? { value: round(value, 1) } : {}),
  };
}

/** Least-squares slope of y over x (units of y per unit of x). */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Milliseconds since an arbitrary origin, from the monotonic high-resolution clock. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A random pause of 0-100 ms before a timed request that reads Kafka: the service's Kafka readers poll
 * every 100 ms, and back-to-back requests would otherwise lock onto one phase of that cycle.
 */
export const jitter = () => sleep(Math.random() * 100);
