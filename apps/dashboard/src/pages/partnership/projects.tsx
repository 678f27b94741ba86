import { Section } from '../../components/ui';
import { formatDate, formatMoney } from '../../format';
import { useI18n } from '../../i18n';
import type { Partnership } from '../../types';
import { useNames } from './common';

/** Joint projects: budget, funding, leads and milestones. */
export function Projects({ partnership }: { partnership: Partnership }) {
  const { t, language } = useI18n();
  const name = useNames();
  return (
    <Section id="projects" title={t('p.projects')}>
      {partnership.projects.length === 0 ? (
        <p class="empty">{t('common.none')}</p>
      ) : (
        <ul class="items">
          {partnership.projects.map((project) => (
            <li key={project.projectId} class="item project">
              <div class="item-head">
                <strong>{project.title}</strong>
                <span class={`badge status-${project.status}`}>{t(`project.${project.status}`)}</span>
              </div>
              {project.description && <p>{project.description}</p>}
              <dl class="facts">
                <dt>{t('project.budget')}</dt>
                <dd>{formatMoney(language, project.budget.amount, project.budget.currency)}</dd>
                <dt>{t('project.funding')}</dt>
                <dd>{project.fundingSources.join(', ')}</dd>
                <dt>{t('project.leads')}</dt>
                <dd>{project.leads.map((id) => name(id, partnership.partyDetails)).join(', ')}</dd>
              </dl>
              <p class="sub">{t('project.starts', { date: formatDate(language, project.startsOn) })}</p>
              {project.milestones.length > 0 && (
                <>
                  <h3 class="small-heading">{t('project.milestones')}</h3>
                  <ul class="milestones">
                    {project.milestones.map((m) => (
                      <li key={m.milestoneId} class={m.reachedOn ? 'reached' : 'due'}>
                        <span class="sign-mark" aria-hidden="true">
                          {m.reachedOn ? '✓' : '○'}
                        </span>
                        <span>
                          {m.title}{' '}
                          <span class="sub">
                            {m.reachedOn
                              ? t('project.reached', { date: formatDate(language, m.reachedOn) })
                              : t('project.due', { date: formatDate(language, m.dueOn) })}
                          </span>
                        </span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
