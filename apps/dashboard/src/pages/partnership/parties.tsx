import { Section } from '../../components/ui';
import { useApp } from '../../context';
import { termOf, useI18n } from '../../i18n';
import type { Partnership } from '../../types';

/** The parties, with their kind and region. */
export function Parties({ partnership }: { partnership: Partnership }) {
  const { t } = useI18n();
  const { organizations } = useApp();
  return (
    <Section id="parties" title={t('p.parties')}>
      <ul class="parties">
        {partnership.parties.map((id) => {
          const org = organizations.get(id);
          const detail = partnership.partyDetails?.find((d) => d.id === id);
          const name = detail?.name ?? org?.name ?? t('common.unknownOrg');
          const country = detail?.country ?? org?.country ?? '';
          const kind = detail?.kind ?? org?.kind ?? '';
          return (
            <li key={id} class="party">
              <span class={`flag flag-${country}`}>{country}</span>
              <span>
                <a href={`#/?organizationId=${id}`}>{name}</a>
                <span class="sub">
                  {[termOf(t, 'kind', kind), org?.region ?? termOf(t, 'country', country)]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </span>
            </li>
          );
        })}
      </ul>
    </Section>
  );
}
