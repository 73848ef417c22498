import { Figure, round } from './stats';

/** One line of the summary: a figure of the service beside its floor, and the target it is held to. */
export interface Row {
  scenario: string;
  case: string;
  figure: Figure;
  floor?: Figure;
  /** service / floor, on `value` (rates) or medians (latencies); set by the scenario when it means something else. */
  ratio?: number;
  ratioOf?: string;
  target?: string;
  met?: boolean;
}

const fmt = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '-' : x >= 100 ? String(Math.round(x)) : String(round(x, x >= 10 ? 1 : 2));
const main = (f: Figure) => (f.value !== undefined ? f.value : f.median);

function cells(r: Row): string[] {
  const f = r.figure;
  return [
    r.scenario,
    r.case,
    f.unit,
    String(f.n),
    f.value !== undefined ? fmt(f.value) : '',
    fmt(f.median),
    fmt(f.p99),
    r.floor ? fmt(main(r.floor)) : '',
    r.floor ? fmt(r.floor.p99) : '',
    r.ratio !== undefined ? `${fmt(r.ratio)}x${r.ratioOf ? ` ${r.ratioOf}` : ''}` : '',
    r.target ? `${r.target} ${r.met === undefined ? '' : r.met ? 'MET' : 'MISSED'}` : '',
  ];
}

const HEAD = ['scenario', 'case', 'unit', 'n', 'overall', 'median', 'p99', 'floor', 'floor p99', 'ratio', 'target'];

/** A fixed-width text table for the terminal. */
export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(cells(r)))].join('\n');
}

/** The same table in Markdown, for bench/README.md. */
export function markdownTable(rows: Row[]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}
