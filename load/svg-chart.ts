// A small line chart as SVG (no dependency): one x axis of categories, several
// series, a y axis from 0 to the largest value (or log scale), a legend.
export interface ChartSeries {
  name: string;
  values: Array<number | null>;
  dashed?: boolean;
  /** Default: the next of the palette. */
  color?: string;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: ChartSeries[];
  logY?: boolean;
  /** With logY: grid lines at 2 and 5 times each power of ten too (a range under two decades gets one or two lines otherwise). */
  logSubTicks?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function lineChartSvg(chart: LineChart, width = 720, height = 420): string {
  const left = 70;
  const right = 180;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = Math.max(1e-9, ...values);
  const min = chart.logY ? Math.max(1e-9, Math.min(...values.filter((v) => v > 0))) : 0;
  const y = (v: number): number => {
    if (chart.logY) return top + plotH - ((Math.log10(Math.max(v, min)) - Math.log10(min)) / Math.max(1e-9, Math.log10(max) - Math.log10(min))) * plotH;
    return top + plotH - (v / max) * plotH;
  };
  const x = (i: number): number => left + (chart.categories.length === 1 ? plotW / 2 : (i / (chart.categories.length - 1)) * plotW);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(chart.title)}</text>`);
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="black"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="black"/>`);
  const multiples = chart.logSubTicks ? [1, 2, 5] : [1];
  const ticks = chart.logY
    ? Array.from({ length: Math.floor(Math.log10(max)) - Math.floor(Math.log10(min)) + 1 }, (_, i) => 10 ** (Math.floor(Math.log10(min)) + i))
        .flatMap((decade) => multiples.map((m) => m * decade))
        .filter((t) => t >= min && t <= max)
    : Array.from({ length: 6 }, (_, i) => (max * i) / 5);
  for (const t of ticks) {
    parts.push(`<line x1="${left - 4}" y1="${y(t)}" x2="${left + plotW}" y2="${y(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 8}" y="${y(t) + 4}" text-anchor="end">${t >= 100 ? t.toFixed(0) : t >= 1 ? t.toFixed(1) : t.toPrecision(2)}</text>`);
  }
  chart.categories.forEach((c, i) => parts.push(`<text x="${x(i)}" y="${top + plotH + 18}" text-anchor="middle">${escapeXml(c)}</text>`));
  parts.push(`<text x="${left + plotW / 2}" y="${height - 16}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((s, n) => {
    const color = s.color ?? COLORS[n % COLORS.length] ?? 'black';
    const points = s.values.flatMap((v, i) => (v === null || !Number.isFinite(v) ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points.join(' ')}"/>`);
    for (const p of points) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${color}"/>`);
    const ly = top + 10 + n * 18;
    parts.push(
      `<line x1="${left + plotW + 14}" y1="${ly}" x2="${left + plotW + 38}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${left + plotW + 44}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
