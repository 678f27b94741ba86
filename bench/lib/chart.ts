import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as PImage from 'pureimage';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];

export interface Series {
  label: string;
  /** [log size, value]; sizes on a log scale. */
  points: [number, number][];
}

let fontLoaded: Promise<void> | undefined;

/**
 * A line chart, PNG, sizes (events in the log) on a log-10 axis, values on a linear axis from 0.
 * Drawn with pureimage (pure JavaScript: nothing native, no browser) and DejaVu Sans.
 */
export async function lineChart(
  path: string,
  title: string,
  unit: string,
  series: readonly Series[],
): Promise<void> {
  fontLoaded ??= PImage.registerFont(FONT, 'DejaVu').load();
  await fontLoaded;
  const width = 800;
  const height = 450;
  const margin = { left: 80, right: 200, top: 40, bottom: 50 };
  const image = PImage.make(width, height);
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const minX = Math.floor(Math.log10(Math.min(...xs)));
  const maxX = Math.max(minX + 1, Math.ceil(Math.log10(Math.max(...xs)) - 0.01));
  const maxY = niceCeiling(Math.max(1e-9, ...ys));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const px = (x: number) => margin.left + ((Math.log10(x) - minX) / (maxX - minX)) * plotW;
  const py = (y: number) => margin.top + plotH - (y / maxY) * plotH;

  ctx.fillStyle = '#000000';
  ctx.font = '16pt DejaVu';
  ctx.fillText(title, margin.left, 25);
  ctx.font = '11pt DejaVu';
  ctx.strokeStyle = '#cccccc';
  ctx.lineWidth = 1;
  for (let decade = minX; decade <= maxX; decade++) {
    const x = px(10 ** decade);
    line(ctx, x, margin.top, x, margin.top + plotH);
    ctx.fillText(sizeLabel(10 ** decade), x - 12, margin.top + plotH + 20);
  }
  for (let i = 0; i <= 5; i++) {
    const value = (maxY * i) / 5;
    const y = py(value);
    line(ctx, margin.left, y, margin.left + plotW, y);
    ctx.fillText(formatValue(value), 8, y + 4);
  }
  ctx.fillText(`events in the log (log scale)`, margin.left + plotW / 2 - 90, height - 10);
  ctx.fillText(unit, 8, margin.top - 8);

  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    const points = s.points.filter(([, y]) => Number.isFinite(y));
    for (let i = 1; i < points.length; i++) {
      line(ctx, px(points[i - 1]![0]), py(points[i - 1]![1]), px(points[i]![0]), py(points[i]![1]));
    }
    for (const [x, y] of points) ctx.fillRect(px(x) - 3, py(y) - 3, 6, 6);
    const legendY = margin.top + 10 + index * 20;
    ctx.fillRect(width - margin.right + 15, legendY - 8, 12, 12);
    ctx.fillStyle = '#000000';
    ctx.fillText(s.label, width - margin.right + 32, legendY + 3);
  });

  mkdirSync(dirname(path), { recursive: true });
  await PImage.encodePNGToStream(image, createWriteStream(path));
}

type Context = ReturnType<ReturnType<typeof PImage.make>['getContext']>;

function line(ctx: Context, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function niceCeiling(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * step >= value) return factor * step;
  return 10 * step;
}

function sizeLabel(size: number): string {
  if (size >= 1e6) return `${size / 1e6}M`;
  if (size >= 1e3) return `${size / 1e3}k`;
  return String(size);
}

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
}
