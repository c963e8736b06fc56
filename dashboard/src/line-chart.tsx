import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { useEffect, useRef } from "preact/hooks";

// Only what a line chart over labelled points needs: keeps the bundle small (tree-shaken Chart.js).
Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const palette = ["#4f46e5", "#059669", "#d97706", "#dc2626", "#0891b2", "#7c3aed", "#65a30d", "#db2777", "#475569", "#ca8a04"];

export interface Line {
  label: string;
  /** null: the point has not happened yet (drawn as a gap). */
  values: Array<number | null>;
  dashed?: boolean;
}

/** A Chart.js line chart, redrawn in place when its lines change. */
export function LineChart(p: { labels: string[]; lines: Line[]; testid: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"line"> | null>(null);
  useEffect(() => {
    const datasets = p.lines.map((l, i) => ({
      label: l.label,
      data: l.values,
      borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length],
      borderDash: l.dashed ? [6, 4] : [],
      pointRadius: p.labels.length > 60 ? 0 : 2,
      tension: 0.2,
      spanGaps: false,
    }));
    if (!chart.current && canvas.current) {
      chart.current = new Chart(canvas.current, {
        type: "line",
        data: { labels: p.labels, datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true } },
          plugins: { legend: { position: "bottom" } },
        },
      });
    } else if (chart.current) {
      chart.current.data.labels = p.labels;
      chart.current.data.datasets = datasets;
      chart.current.update();
    }
  }, [p.labels, p.lines]);
  useEffect(() => () => chart.current?.destroy(), []);
  return (
    <div class="chart">
      <canvas ref={canvas} data-testid={p.testid} role="img" aria-label="chart; the numbers are in the table below" />
    </div>
  );
}
