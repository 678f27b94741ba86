import { Section } from '../../components/ui';
import { formatDateTime, formatNumber } from '../../format';
import { termOf, useI18n } from '../../i18n';
import type { History, HistoryEvent } from '../../types';

/** The event history (auditors and officers) and the time-travel control. */
function actorOf(event: HistoryEvent): string {
  const actor = event.metadata.actor;
  if (!actor) return '—';
  const roles = actor.roles.join(', ');
  return `${actor.name ?? actor.sub}${roles ? ` (${roles})` : ''}`;
}

export function HistoryTable({
  history,
  onTravel,
}: {
  history: History;
  onTravel: (revision: number) => void;
}) {
  const { t, language } = useI18n();
  return (
    <div class="table-scroll">
      <table class="data history stack">
        <thead>
          <tr>
            <th scope="col" class="num">
              {t('history.revision')}
            </th>
            <th scope="col">{t('history.type')}</th>
            <th scope="col">{t('history.recorded')}</th>
            <th scope="col">{t('history.actor')}</th>
            <th scope="col">{t('history.details')}</th>
          </tr>
        </thead>
        <tbody>
          {history.events.map((event) => (
            <tr key={event.id}>
              <td class="num">
                <button
                  type="button"
                  class="button link"
                  onClick={() => onTravel(event.revision)}
                  aria-label={`${t('p.viewing', { revision: event.revision })}`}
                >
                  {event.revision}
                </button>
              </td>
              <th scope="row">
                {termOf(t, 'ev', event.type)}
                <span class="sub code">
                  {event.type} v{event.version}
                  {event.storedVersion !== event.version &&
                    ` · ${t('history.upcast', { stored: event.storedVersion, current: event.version })}`}
                </span>
              </th>
              <td>
                <time dateTime={event.recordedAt}>{formatDateTime(language, event.recordedAt)}</time>
                <span class="sub">
                  {t('history.position')} {formatNumber(language, event.position)}
                </span>
              </td>
              <td>{actorOf(event)}</td>
              <td>
                <details>
                  <summary>{t('history.details')}</summary>
                  <h3 class="small-heading">{t('history.data')}</h3>
                  <pre>{JSON.stringify(event.data, null, 2)}</pre>
                  <h3 class="small-heading">{t('history.metadata')}</h3>
                  <pre>{JSON.stringify(event.metadata, null, 2)}</pre>
                  {event.hash && (
                    <p class="code">
                      {t('history.hash')}: {event.hash}
                    </p>
                  )}
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A slider over the stream's revisions; the page shows the state folded up to the chosen one. */
export function TimeTravel(props: {
  latest: number;
  viewing: number | null;
  history: History | null;
  loading: boolean;
  onChange: (revision: number | null) => void;
}) {
  const { t, language } = useI18n();
  const value = props.viewing ?? props.latest;
  const event = props.history?.events.find((e) => e.revision === value);
  const describe = event
    ? t('tt.event', { type: termOf(t, 'ev', event.type), date: formatDateTime(language, event.recordedAt) })
    : '';
  const valueText = `${t('tt.value', { revision: value, max: props.latest })}${describe ? ` — ${describe}` : ''}`;
  return (
    <Section id="time-travel" title={t('p.timeTravel')} class="time-travel">
      <p class="muted">{t('tt.intro')}</p>
      <div class="slider-row">
        <label for="time-travel-slider">{t('tt.label')}</label>
        <input
          id="time-travel-slider"
          type="range"
          min={0}
          max={props.latest}
          step={1}
          value={value}
          aria-valuetext={valueText}
          onInput={(e) => {
            const next = Number(e.currentTarget.value);
            props.onChange(next >= props.latest ? null : next);
          }}
        />
        <output for="time-travel-slider" class="slider-value" data-testid="time-travel-value">
          {valueText}
        </output>
        {props.viewing !== null && (
          <button type="button" class="button secondary" onClick={() => props.onChange(null)}>
            {t('tt.latest')}
          </button>
        )}
      </div>
      {props.loading && (
        <p class="muted" role="status">
          {t('tt.loading')}
        </p>
      )}
    </Section>
  );
}
