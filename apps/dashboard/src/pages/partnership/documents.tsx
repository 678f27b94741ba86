import { formatDate } from '../../format';
import { useI18n } from '../../i18n';
import type { Agreement, Mou, Partnership, SignedDocument } from '../../types';
import { RecordSignatureForm } from '../actions';
import { Acting, useNames } from './common';

/** Agreements and MOUs: terms, signatories and their signatures. */
function Signatories({ document }: { document: SignedDocument }) {
  const { t, language } = useI18n();
  const name = useNames();
  return (
    <ul class="signatories" aria-label={t('doc.signatories')}>
      {document.signatories.map((org) => {
        const signature = document.signatures.find((s) => s.organizationId === org);
        return (
          <li key={org} class={signature ? 'signed' : 'pending'}>
            <span class="sign-mark" aria-hidden="true">
              {signature ? '✓' : '…'}
            </span>
            <span>
              <strong>{name(org)}</strong>{' '}
              {signature
                ? t('doc.signed', {
                    name: signature.signerName,
                    date: formatDate(language, signature.signedOn ?? signature.signedAt),
                  })
                : t('doc.pending')}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

export function DocumentItem(props: {
  partnership: Partnership;
  document: { kind: 'agreement'; value: Agreement } | { kind: 'mou'; value: Mou };
  acting: Acting;
}) {
  const { t, language } = useI18n();
  const doc = props.document.value;
  const id =
    props.document.kind === 'agreement' ? props.document.value.agreementId : props.document.value.mouId;
  const formOpen = props.acting.open?.kind === 'sign' && props.acting.open.id === id;
  const agreement = props.document.kind === 'agreement' ? props.document.value : null;
  const signedBy = new Set(doc.signatures.map((s) => s.organizationId));
  const awaited = doc.signatories.filter((org) => !signedBy.has(org) && props.acting.maySignFor(org));
  return (
    <li class="item document">
      <div class="item-head">
        <strong>{doc.title}</strong>
        <span class={`badge status-${doc.status}`}>{t(`doc.${doc.status}`)}</span>
      </div>
      {doc.scope && <p>{doc.scope}</p>}
      <p class="sub">
        {[
          agreement && t('doc.term', { months: agreement.termMonths }),
          doc.executedOn && t('doc.executedOn', { date: formatDate(language, doc.executedOn) }),
          agreement?.expiresOn && t('doc.expires', { date: formatDate(language, agreement.expiresOn) }),
          agreement && agreement.amendments > 0 && t('doc.amended', { count: agreement.amendments }),
        ]
          .filter(Boolean)
          .join(' · ')}
      </p>
      <Signatories document={doc} />
      {props.acting.enabled &&
        doc.status === 'draft' &&
        props.partnership.status !== 'withdrawn' &&
        awaited.length > 0 &&
        !formOpen && (
          <button
            type="button"
            class="button secondary"
            onClick={() => props.acting.setOpen({ kind: 'sign', id })}
          >
            {t('act.sign')}
          </button>
        )}
      {formOpen && (
        <RecordSignatureForm
          partnership={props.partnership}
          document={props.document}
          signFor={awaited}
          onDone={props.acting.done}
          onCancel={() => props.acting.setOpen(null)}
        />
      )}
    </li>
  );
}
