// The Overview's two charts over backup history. A module of their own so recharts (most of the
// app's code) is a separate chunk that Dashboard.tsx loads only when it shows them.
import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format.ts';
import { timeAxis, type Point } from '../lib/series.ts';

export function SizeChart({ series }: { series: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <AreaChart data={series} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <defs>
          <linearGradient id="sizeFill" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" className="chart-stop-strong" />
            <stop offset="100%" className="chart-stop-weak" />
          </linearGradient>
        </defs>
        <CartesianGrid className="chart-grid" vertical={false} />
        <TimeXAxis series={series} />
        <YAxis tickFormatter={(v: number) => formatBytes(v)} width="auto" className="chart-axis" />
        <Tooltip
          labelFormatter={(v) => formatDateTime(new Date(Number(v)).toISOString(), false)}
          formatter={(v) => [formatBytes(Number(v)), series.some((p) => p.count > 1) ? 'Average size' : 'Size']}
          wrapperClassName="chart-tooltip"
        />
        <Area type="linear" dataKey="size" className="chart-area" fill="url(#sizeFill)" isAnimationActive={false} />
      </AreaChart>
    </ResponsiveContainer>
  );
}

export function DurationChart({ series }: { series: Point[] }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart data={series} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid className="chart-grid" vertical={false} />
        <TimeXAxis series={series} />
        <YAxis tickFormatter={(v: number) => formatDuration(v * 1000)} width="auto" className="chart-axis" />
        <Tooltip
          labelFormatter={(v) => formatDateTime(new Date(Number(v)).toISOString(), false)}
          formatter={(v) => [formatDuration(Number(v) * 1000), series.some((p) => p.count > 1) ? 'Average duration' : 'Duration']}
          wrapperClassName="chart-tooltip"
        />
        <Line type="linear" dataKey="seconds" className="chart-line" dot={series.length < 40} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Both charts' time axis: its ticks and labels are timeAxis's, so no two ticks read the same. */
function TimeXAxis({ series }: { series: Point[] }) {
  const axis = timeAxis(series);
  return <XAxis dataKey="at" type="number" scale="time" domain={['dataMin', 'dataMax']} ticks={axis.ticks} tickFormatter={axis.label} className="chart-axis" minTickGap={40} />;
}
