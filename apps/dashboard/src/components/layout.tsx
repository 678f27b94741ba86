import type { ComponentChildren } from 'preact';
import { LANGUAGES, useI18n } from '../i18n';

function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div class="language" role="group" aria-label={t('lang.label')}>
      {LANGUAGES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          class="language-option"
          aria-pressed={language === code}
          onClick={() => setLanguage(code)}
        >
          {t(`lang.${code}`)}
        </button>
      ))}
    </div>
  );
}

/** The banner: a skip link (hash routes forbid `href="#main"` navigation, so it moves focus itself), brand, nav, language. */
export function TopBar({ children }: { children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <header class="topbar">
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <a class="brand" href="#/">
        <img class="brand-mark" src="/favicon.svg" alt="" width={32} height={32} />
        <span>
          <span class="brand-name">Passerelle</span>
          <span class="brand-tagline">{t('app.tagline')}</span>
        </span>
      </a>
      {children}
      <LanguageSwitch />
    </header>
  );
}

export function PageHeader({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {intro && <p class="lead">{intro}</p>}
      </div>
      {children}
    </div>
  );
}
