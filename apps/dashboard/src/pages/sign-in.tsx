import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { TopBar } from '../components/layout';
import { Field, describedBy } from '../components/ui';
import { ENDPOINTS } from '../endpoints';
import { useI18n } from '../i18n';
import { Session, sessionFromToken } from '../session';
import { DevSignInOptions, DevToken, ROLES, Role } from '../types';

/** An organisation the development sign-in may act for. */
type DevOrganization = DevSignInOptions['organizations'][number];

/** Checks a token against the API before keeping it: a read every role may do. */
async function verify(session: Session): Promise<void> {
  const response = await fetch(ENDPOINTS.pipeline, {
    headers: { Accept: 'application/json', Authorization: `Bearer ${session.token}` },
  });
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new ApiError(401, {
      type: 'about:blank',
      status: 401,
      title: body.title ?? 'Unauthorized',
      detail: body.detail,
    });
  }
}

export function SignInPage({
  onSignIn,
  notice,
}: {
  onSignIn: (session: Session) => void;
  notice: string | null;
}) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [tokenError, setTokenError] = useState<string[] | undefined>();
  const [busy, setBusy] = useState(false);
  const [devAvailable, setDevAvailable] = useState(false);
  const [role, setRole] = useState<Role>('officer');
  const [organizations, setOrganizations] = useState<DevOrganization[]>([]);
  const [organizationId, setOrganizationId] = useState('');
  const [devError, setDevError] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('signIn.title')} · Passerelle`;
  }, [t]);
  useEffect(() => {
    fetch(ENDPOINTS.devSignIn, { headers: { Accept: 'application/json' } })
      .then(async (response) => {
        setDevAvailable(response.ok);
        if (!response.ok) return;
        const options = (await response.json()) as DevSignInOptions;
        setOrganizations(options.organizations);
      })
      .catch(() => setDevAvailable(false));
  }, []);

  const submitToken = async (event: Event) => {
    event.preventDefault();
    const session = sessionFromToken(token);
    if (!session) return setTokenError([t('signIn.invalid')]);
    if (session.roles.length === 0) return setTokenError([t('signIn.noRole')]);
    setBusy(true);
    try {
      await verify(session);
      onSignIn(session);
    } catch (error) {
      setTokenError([t('signIn.rejected', { detail: (error as Error).message })]);
    } finally {
      setBusy(false);
    }
  };

  const submitDev = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setDevError(null);
    try {
      // Only an officer's organisation narrows what it may do: the other roles are asked for none.
      const body = role === 'officer' && organizationId ? { role, organizationId } : { role };
      const answer = await request<DevToken>('POST', ENDPOINTS.devToken, { body });
      const session = sessionFromToken(answer.token);
      if (session) onSignIn(session);
    } catch (error) {
      setDevError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <TopBar />
      <main id="main" tabIndex={-1} class="sign-in">
        <h1>{t('signIn.title')}</h1>
        <p class="lead">{t('signIn.intro')}</p>
        {notice && (
          <p class="alert alert-info" role="status">
            {notice}
          </p>
        )}
        <div class="sign-in-options">
          {devAvailable && (
            <section class="card" aria-labelledby="dev-title">
              <h2 id="dev-title">{t('signIn.dev.title')}</h2>
              <p>{t('signIn.dev.intro')}</p>
              <form onSubmit={submitDev}>
                <Field id="dev-role" label={t('signIn.dev.role')}>
                  <select id="dev-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r} — {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                {role === 'officer' && organizations.length > 0 && (
                  <Field
                    id="dev-organization"
                    label={t('signIn.dev.organization')}
                    hint={t('signIn.dev.organizationHint')}
                  >
                    <select
                      {...describedBy('dev-organization', undefined, true)}
                      value={organizationId}
                      onChange={(e) => setOrganizationId(e.currentTarget.value)}
                    >
                      <option value="">{t('signIn.dev.staff')}</option>
                      {organizations.map((o) => (
                        <option key={o.id} value={o.id}>
                          {o.name} ({o.country})
                        </option>
                      ))}
                    </select>
                  </Field>
                )}
                {devError && (
                  <p class="field-error" role="alert">
                    {devError}
                  </p>
                )}
                <button type="submit" class="button primary" disabled={busy}>
                  {t('signIn.dev.submit')}
                </button>
              </form>
            </section>
          )}
          <section class="card" aria-labelledby="token-title">
            <h2 id="token-title">{t('signIn.tokenTitle')}</h2>
            <form onSubmit={submitToken} noValidate>
              <Field id="token" label={t('signIn.token')} hint={t('signIn.tokenHint')} errors={tokenError}>
                <textarea
                  {...describedBy('token', tokenError, true)}
                  name="token"
                  rows={4}
                  spellcheck={false}
                  autoComplete="off"
                  value={token}
                  onInput={(e) => {
                    setToken(e.currentTarget.value);
                    setTokenError(undefined);
                  }}
                />
              </Field>
              <button type="submit" class="button primary" disabled={busy}>
                {t('signIn.submit')}
              </button>
            </form>
          </section>
        </div>
      </main>
    </>
  );
}
