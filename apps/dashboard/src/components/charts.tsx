import { useEffect, useRef, useState } from 'preact/hooks';
import { termOf, useI18n } from '../i18n';
import { formatNumber, formatPercent } from '../format';
import { Pipeline, STAGES } from '../types';

const FUNNEL_COLORS = ['#1d3b6f', '#2a5298', '#2f6db5', '#2b86c5', '#1f9fb8'];

/**
 * The lifecycle as a funnel: each band as wide as the partnerships that ever reached the stage, each
 * step with the share that moved on and the median days it took. The figures are also given as text.
 */
export function Funnel({ pipeline }: { pipeline: Pipeline }) {
  const { t, language } = useI18n();
  const reached = pipeline.reached ?? pipeline.stages;
  const max = Math.max(1, ...STAGES.map((stage) => reached[stage] ?? 0));
  // Drawn at the width it is shown, so its words keep their size from a phone to a wide screen.
  const figure = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(560);
  useEffect(() => {
    const element = figure.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.round(Math.min(640, Math.max(280, entry.contentRect.width))));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const band = 44;
  const gap = 34;
  const labels = STAGES.map(
    (stage) => `${termOf(t, 'stage', stage)} · ${formatNumber(language, reached[stage] ?? 0)}`,
  );
  // The narrowest band still holds its label (about 9 px a character at this size).
  const minWidth = Math.min(width, Math.max(...labels.map((label) => label.length)) * 9 + 28);
  const widthOf = (stage: string) => minWidth + ((width - minWidth) * (reached[stage] ?? 0)) / max;
  const height = STAGES.length * band + (STAGES.length - 1) * gap;
  const steps = STAGES.slice(1).map((to, index) => {
    const from = STAGES[index]!;
    const key = `${from}→${to}`;
    return {
      from,
      to,
      conversion: pipeline.conversion?.[key] ?? null,
      median: pipeline.medianDaysBetweenStages?.[key] ?? null,
    };
  });
  const summary = STAGES.map(
    (stage) => `${termOf(t, 'stage', stage)} ${formatNumber(language, reached[stage] ?? 0)}`,
  ).join(', ');

  return (
    <figure class="funnel" ref={figure}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={t('pipeline.funnelLabel', { stages: summary })}
      >
        {STAGES.map((stage, index) => {
          const y = index * (band + gap);
          const w = widthOf(stage);
          const x = (width - w) / 2;
          const next = STAGES[index + 1];
          const nextW = next ? widthOf(next) : w;
          const color = FUNNEL_COLORS[index]!;
          return (
            <g key={stage}>
              <rect x={x} y={y} width={w} height={band} rx={6} fill={color} />
              {next && (
                <path
                  d={`M${x} ${y + band} L${x + w} ${y + band} L${(width + nextW) / 2} ${y + band + gap} L${(width - nextW) / 2} ${y + band + gap} Z`}
                  fill={color}
                  opacity={0.18}
                />
              )}
              <text x={width / 2} y={y + band / 2 + 6} text-anchor="middle" class="funnel-text">
                {labels[index]}
              </text>
              {next && (
                <text x={width / 2} y={y + band + gap / 2 + 5} text-anchor="middle" class="funnel-step-text">
                  {stepText(t, language, steps[index]!)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="visually-hidden">{t('pipeline.funnel')}</figcaption>
    </figure>
  );
}

type Step = { from: string; to: string; conversion: number | null; median: number | null };

function stepText(t: ReturnType<typeof useI18n>['t'], language: 'en' | 'fr', step: Step): string {
  if (step.conversion === null) return t('pipeline.noStep');
  const parts = [t('pipeline.conversion', { percent: formatPercent(language, step.conversion) })];
  if (step.median !== null)
    parts.push(t('pipeline.median', { days: formatNumber(language, step.median, 1) }));
  return parts.join(' · ');
}

/** The same figures as a table, for reading and for screen readers. */
export function FunnelSteps({ pipeline }: { pipeline: Pipeline }) {
  const { t, language } = useI18n();
  const reached = pipeline.reached ?? pipeline.stages;
  return (
    <div class="table-scroll">
      <table class="data compact">
        <thead>
          <tr>
            <th scope="col">{t('list.stage')}</th>
            <th scope="col" class="num">
              {t('pipeline.colReached')}
            </th>
            <th scope="col" class="num">
              {t('pipeline.colNow')}
            </th>
            <th scope="col">{t('pipeline.colStep')}</th>
          </tr>
        </thead>
        <tbody>
          {STAGES.map((stage, index) => {
            const next = STAGES[index + 1];
            const key = next ? `${stage}→${next}` : '';
            const conversion = next ? (pipeline.conversion?.[key] ?? null) : null;
            const median = next ? (pipeline.medianDaysBetweenStages?.[key] ?? null) : null;
            return (
              <tr key={stage}>
                <th scope="row">{termOf(t, 'stage', stage)}</th>
                <td class="num">{formatNumber(language, reached[stage] ?? 0)}</td>
                <td class="num">{formatNumber(language, pipeline.stages[stage] ?? 0)}</td>
                <td>{next ? stepText(t, language, { from: stage, to: next, conversion, median }) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Horizontal bars, one per label; values written beside the bars. */
export function Bars({
  rows,
  label,
}: {
  rows: { key: string; label: string; value: number }[];
  label: string;
}) {
  const { language } = useI18n();
  const max = Math.max(1, ...rows.map((row) => row.value));
  return (
    <ul class="bars" aria-label={label}>
      {rows.map((row) => (
        <li key={row.key} class="bar-row">
          <span class="bar-label">{row.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${(row.value / max) * 100}%` }} />
          </span>
          <span class="bar-value">{formatNumber(language, row.value)}</span>
        </li>
      ))}
    </ul>
  );
}
