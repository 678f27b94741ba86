import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, useToken } from './api';
import { AppContext } from './context';
import { useLoad, useRoute } from './hooks';
import { TopBar } from './components/layout';
import { I18nContext, initialLanguage, Language, translator, useI18n } from './i18n';
import { live } from './live';
import { NowPage } from './pages/now';
import { PartnershipPage } from './pages/partnership/page';
import { PipelinePage } from './pages/pipeline';
import { SignInPage } from './pages/sign-in';
import { WherePage } from './pages/where';
import { ENDPOINTS } from './endpoints';
import { actingFor, loadSession, primaryRole, saveSession, Session } from './session';
import type { KnownOrganization, Organization, OrganizationPage } from './types';

export function App() {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);
  const i18n = useMemo(
    () => ({
      language,
      t: translator(language),
      setLanguage: (next: Language) => {
        localStorage.setItem('passerelle.language', next);
        setLanguageState(next);
      },
    }),
    [language],
  );

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice(null);
    setSession(next);
  }, []);
  const signOut = useCallback((reason?: string) => {
    saveSession(null);
    live.close();
    setNotice(reason ?? null);
    setSession(null);
  }, []);

  // Set before children render, so their first requests carry the token.
  useToken(session?.token ?? null, () => signOut(i18n.t('session.expired')));

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <Shell key={session.token} session={session} onSignOut={() => signOut()} />
      ) : (
        <SignInPage onSignIn={signIn} notice={notice} />
      )}
    </I18nContext.Provider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { t } = useI18n();
  const route = useRoute();
  const organizations = useLoad(
    (signal) => get<OrganizationPage>(ENDPOINTS.organizations, { limit: 200 }, signal),
    [],
  );
  const [fetched, setFetched] = useState<Map<string, KnownOrganization>>(new Map());
  const requested = useRef(new Set<string>());
  const byId = useMemo(() => {
    const list: KnownOrganization[] = organizations.data?.items ?? [];
    return new Map([...fetched, ...list.map((org) => [org.id, org] as const)]);
  }, [organizations.data, fetched]);
  const ensureOrganizations = useCallback(
    (ids: string[]) => {
      if (!organizations.data && !organizations.error) return;
      for (const id of ids) {
        if (byId.has(id) || requested.current.has(id)) continue;
        requested.current.add(id);
        get<Organization>(ENDPOINTS.organization(id))
          .then((org) => setFetched((current) => new Map(current).set(id, org)))
          .catch(() => undefined);
      }
    },
    [byId, organizations.data, organizations.error],
  );

  useEffect(() => {
    live.start(ENDPOINTS.live);
    return () => live.close();
  }, []);

  const [section = '', id] = route.path;
  const current = section === 'partnerships' && id ? 'pipeline' : section || 'pipeline';
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [section, id]);

  let page;
  if (section === 'partnerships' && id) page = <PartnershipPage key={id} id={id} />;
  else if (section === 'where') page = <WherePage />;
  else if (section === 'now') page = <NowPage />;
  else page = <PipelinePage query={route.query} />;

  const links = [
    ['pipeline', '#/', t('nav.pipeline')],
    ['where', '#/where', t('nav.where')],
    ['now', '#/now', t('nav.now')],
  ] as const;
  const role = primaryRole(session);

  return (
    <AppContext.Provider
      value={{ session, organizations: byId, reloadOrganizations: organizations.reload, ensureOrganizations }}
    >
      <TopBar>
        <nav class="nav" aria-label={t('nav.label')}>
          <ul>
            {links.map(([key, target, label]) => (
              <li key={key}>
                <a href={target} aria-current={current === key ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="who-name">{t('session.as', { name: session.name || session.subject })}</span>
          <span class={`badge role role-${role}`}>{t(`role.${role}`)}</span>
          {/* Named once the organisations have loaded, so the page never shows a known one as unlisted. */}
          {actingFor(session) && (organizations.data || organizations.error) && (
            <span class="who-org">
              {t('session.for', {
                organization: byId.get(actingFor(session)!)?.name ?? t('common.unknownOrg'),
              })}
            </span>
          )}
          <button type="button" class="button link" onClick={onSignOut}>
            {t('session.signOut')}
          </button>
        </div>
      </TopBar>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </AppContext.Provider>
  );
}
