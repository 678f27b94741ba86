import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, command, get } from '../api';
import { describedBy, Field, FieldGroup } from '../components/ui';
import { useApp } from '../context';
import { ENDPOINTS } from '../endpoints';
import { browserTimeZone, instantToLocalInput, localInputToInstant, todayLocal } from '../format';
import { termOf, useI18n } from '../i18n';
import type {
  Agreement,
  Attendee,
  CommandResult,
  Contact,
  Meeting,
  Mou,
  Organization,
  Partnership,
} from '../types';
import { OUTCOMES } from '../types';

type Errors = Record<string, string[]>;

/** Sends a command; a 400 becomes messages beside the fields, anything else a message above the buttons. */
function useCommand(onDone: (result: CommandResult) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // Focus goes to the first field when the form opens, and to the first field in error after a refusal.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);
  useEffect(() => {
    formRef.current
      ?.querySelector<HTMLElement>('[aria-invalid="true"], fieldset[aria-describedby] input')
      ?.focus();
  }, [errors]);
  const send = async (path: string, body: unknown) => {
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      onDone(await command(path, body));
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && error.problem.errors?.length) {
        setErrors(error.fieldErrors());
        setFailure(t('act.fixFields'));
      } else {
        setFailure(t('act.refused', { detail: (error as Error).message }));
      }
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, failure, send, formRef };
}

function FormFooter(props: { busy: boolean; failure: string | null; submit: string; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <>
      {props.failure && (
        <p class="alert alert-error form-failure" role="alert">
          {props.failure}
        </p>
      )}
      <div class="form-buttons">
        <button type="submit" class="button primary" disabled={props.busy}>
          {props.busy ? t('act.working') : props.submit}
        </button>
        <button type="button" class="button secondary" onClick={props.onCancel}>
          {t('act.cancel')}
        </button>
      </div>
    </>
  );
}

/** The contacts of the parties, read from each organisation (names and addresses are personal data: not in lists). */
function usePartyContacts(parties: string[]): { organization: Organization; contacts: Contact[] }[] | null {
  const [result, setResult] = useState<{ organization: Organization; contacts: Contact[] }[] | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all(
      parties.map((id) =>
        get<Organization>(ENDPOINTS.organization(id))
          .then((organization) => ({ organization, contacts: organization.contacts ?? [] }))
          .catch(() => null),
      ),
    ).then((all) => live && setResult(all.filter((x): x is NonNullable<typeof x> => x !== null)));
    return () => {
      live = false;
    };
  }, [parties.join(',')]);
  return result;
}

const splitEmails = (value: string) =>
  value
    .split(/[,;\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);

export function ScheduleMeetingForm(props: {
  partnership: Partnership;
  onDone: (r: CommandResult) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const zone = browserTimeZone();
  const contacts = usePartyContacts(props.partnership.parties);
  const { busy, errors, failure, send, formRef } = useCommand(props.onDone);
  const inAWeek = new Date(Date.now() + 7 * 86_400_000);
  inAWeek.setHours(17, 0, 0, 0);
  const [form, setForm] = useState({
    startsAt: instantToLocalInput(inAWeek),
    endsAt: '',
    timezone: zone,
    location: '',
    videoUrl: '',
    agenda: '',
    observers: '',
  });
  const [attendees, setAttendees] = useState<Set<string>>(new Set());
  const set = (key: keyof typeof form) => (event: Event) =>
    setForm({ ...form, [key]: (event.currentTarget as HTMLInputElement).value });

  const submit = (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {
      startsAt: localInputToInstant(form.startsAt),
      attendees: [...attendees, ...splitEmails(form.observers)],
    };
    if (form.endsAt) body.endsAt = localInputToInstant(form.endsAt);
    if (form.timezone.trim()) body.timezone = form.timezone.trim();
    if (form.location.trim()) body.location = form.location.trim();
    if (form.videoUrl.trim()) body.videoUrl = form.videoUrl.trim();
    if (form.agenda.trim()) body.agenda = form.agenda.trim();
    void send(ENDPOINTS.meetings(props.partnership.id), body);
  };
  const id = (name: string) => `schedule-${name}`;
  const hint = t('field.timeHint', { zone });

  return (
    <form ref={formRef} class="command-form" onSubmit={submit} noValidate aria-labelledby="schedule-title">
      <h3 id="schedule-title">{t('act.schedule')}</h3>
      <div class="form-grid">
        <Field id={id('startsAt')} label={t('field.startsAt')} hint={hint} errors={errors.startsAt}>
          <input
            type="datetime-local"
            {...describedBy(id('startsAt'), errors.startsAt, true)}
            value={form.startsAt}
            onInput={set('startsAt')}
          />
        </Field>
        <Field id={id('endsAt')} label={t('field.endsAt')} errors={errors.endsAt}>
          <input
            type="datetime-local"
            {...describedBy(id('endsAt'), errors.endsAt)}
            value={form.endsAt}
            onInput={set('endsAt')}
          />
        </Field>
        <Field id={id('timezone')} label={t('field.timezone')} errors={errors.timezone}>
          <input
            type="text"
            {...describedBy(id('timezone'), errors.timezone)}
            value={form.timezone}
            onInput={set('timezone')}
          />
        </Field>
        <Field id={id('location')} label={t('field.location')} errors={errors.location}>
          <input
            type="text"
            {...describedBy(id('location'), errors.location)}
            value={form.location}
            onInput={set('location')}
          />
        </Field>
        <Field id={id('videoUrl')} label={t('field.videoUrl')} errors={errors.videoUrl}>
          <input
            type="url"
            inputMode="url"
            {...describedBy(id('videoUrl'), errors.videoUrl)}
            value={form.videoUrl}
            onInput={set('videoUrl')}
          />
        </Field>
        <Field id={id('agenda')} label={t('field.agenda')} errors={errors.agenda} class="span-2">
          <textarea
            rows={2}
            {...describedBy(id('agenda'), errors.agenda)}
            value={form.agenda}
            onInput={set('agenda')}
          />
        </Field>
      </div>
      <FieldGroup id={id('attendees')} legend={t('field.attendees')} errors={errors.attendees}>
        {contacts === null && <p class="muted">{t('common.loading')}</p>}
        {contacts?.every((c) => c.contacts.length === 0) && <p class="muted">{t('act.noContacts')}</p>}
        {contacts?.map(({ organization, contacts: list }) =>
          list.map((contact, index) => {
            const box = `${id('attendee')}-${organization.id}-${index}`;
            return (
              <div class="check" key={box}>
                <input
                  type="checkbox"
                  id={box}
                  checked={attendees.has(contact.email)}
                  onChange={(e) => {
                    const next = new Set(attendees);
                    if (e.currentTarget.checked) next.add(contact.email);
                    else next.delete(contact.email);
                    setAttendees(next);
                  }}
                />
                <label for={box}>
                  {contact.name} — {organization.name} <span class="muted">({contact.email})</span>
                </label>
              </div>
            );
          }),
        )}
        <Field id={id('observers')} label={t('field.observers')}>
          <input type="text" id={id('observers')} value={form.observers} onInput={set('observers')} />
        </Field>
      </FieldGroup>
      <FormFooter busy={busy} failure={failure} submit={t('act.submitSchedule')} onCancel={props.onCancel} />
    </form>
  );
}

export function RecordOutcomeForm(props: {
  partnership: Partnership;
  meeting: Meeting;
  onDone: (r: CommandResult) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { meeting } = props;
  const { busy, errors, failure, send, formRef } = useCommand(props.onDone);
  const [heldAt, setHeldAt] = useState(instantToLocalInput(new Date(meeting.startsAt)));
  const [outcome, setOutcome] = useState<string>('interested');
  const [minutes, setMinutes] = useState('');
  const [present, setPresent] = useState<Set<string>>(new Set(meeting.attendees.map((a) => a.email)));
  const id = (name: string) => `outcome-${meeting.meetingId}-${name}`;
  const submit = (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { heldAt: localInputToInstant(heldAt), outcome };
    if (minutes.trim()) body.minutes = minutes.trim();
    if (meeting.attendees.length) body.attendeesPresent = [...present];
    void send(ENDPOINTS.outcome(props.partnership.id, meeting.meetingId), body);
  };
  return (
    <form ref={formRef} class="command-form" onSubmit={submit} noValidate aria-labelledby={id('title')}>
      <h3 id={id('title')}>{t('act.outcome')}</h3>
      <div class="form-grid">
        <Field id={id('heldAt')} label={t('field.heldAt')} errors={errors.heldAt}>
          <input
            type="datetime-local"
            {...describedBy(id('heldAt'), errors.heldAt)}
            value={heldAt}
            onInput={(e) => setHeldAt(e.currentTarget.value)}
          />
        </Field>
        <Field id={id('outcome')} label={t('field.outcome')} errors={errors.outcome}>
          <select
            {...describedBy(id('outcome'), errors.outcome)}
            value={outcome}
            onChange={(e) => setOutcome(e.currentTarget.value)}
          >
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {termOf(t, 'outcome', o)}
              </option>
            ))}
          </select>
        </Field>
        <Field id={id('minutes')} label={t('field.minutes')} errors={errors.minutes} class="span-2">
          <textarea
            rows={3}
            {...describedBy(id('minutes'), errors.minutes)}
            value={minutes}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </Field>
      </div>
      {meeting.attendees.length > 0 && (
        <FieldGroup id={id('present')} legend={t('field.attendeesPresent')} errors={errors.attendeesPresent}>
          {meeting.attendees.map((attendee: Attendee, index) => (
            <div class="check" key={attendee.email}>
              <input
                type="checkbox"
                id={`${id('present')}-${index}`}
                checked={present.has(attendee.email)}
                onChange={(e) => {
                  const next = new Set(present);
                  if (e.currentTarget.checked) next.add(attendee.email);
                  else next.delete(attendee.email);
                  setPresent(next);
                }}
              />
              <label for={`${id('present')}-${index}`}>
                {attendee.name ? `${attendee.name} (${attendee.email})` : attendee.email}
              </label>
            </div>
          ))}
        </FieldGroup>
      )}
      <FormFooter busy={busy} failure={failure} submit={t('act.submitOutcome')} onCancel={props.onCancel} />
    </form>
  );
}

export function RecordSignatureForm(props: {
  partnership: Partnership;
  document: { kind: 'agreement'; value: Agreement } | { kind: 'mou'; value: Mou };
  /** The signatories still awaited that this session may sign for. */
  signFor: string[];
  onDone: (r: CommandResult) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { organizations } = useApp();
  const doc = props.document.value;
  const docId =
    props.document.kind === 'agreement' ? props.document.value.agreementId : props.document.value.mouId;
  const pending = props.signFor;
  const { busy, errors, failure, send, formRef } = useCommand(props.onDone);
  const [organizationId, setOrganizationId] = useState(pending[0] ?? '');
  const [signerName, setSignerName] = useState('');
  const [signedAt, setSignedAt] = useState(todayLocal());
  const id = (name: string) => `sign-${docId}-${name}`;
  const submit = (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { organizationId, signerName: signerName.trim() };
    if (signedAt) body.signedAt = signedAt;
    const path =
      props.document.kind === 'agreement'
        ? ENDPOINTS.agreementSignature(props.partnership.id, docId)
        : ENDPOINTS.mouSignature(props.partnership.id, docId);
    void send(path, body);
  };
  return (
    <form ref={formRef} class="command-form" onSubmit={submit} noValidate aria-labelledby={id('title')}>
      <h3 id={id('title')}>
        {t('act.sign')}: {doc.title}
      </h3>
      <div class="form-grid">
        <Field id={id('organizationId')} label={t('field.organizationId')} errors={errors.organizationId}>
          <select
            {...describedBy(id('organizationId'), errors.organizationId)}
            value={organizationId}
            onChange={(e) => setOrganizationId(e.currentTarget.value)}
          >
            {pending.map((org) => (
              <option key={org} value={org}>
                {organizations.get(org)?.name ?? org}
              </option>
            ))}
          </select>
        </Field>
        <Field id={id('signerName')} label={t('field.signerName')} errors={errors.signerName}>
          <input
            type="text"
            autoComplete="name"
            {...describedBy(id('signerName'), errors.signerName)}
            value={signerName}
            onInput={(e) => setSignerName(e.currentTarget.value)}
          />
        </Field>
        <Field id={id('signedAt')} label={t('field.signedAt')} errors={errors.signedAt}>
          <input
            type="date"
            {...describedBy(id('signedAt'), errors.signedAt)}
            value={signedAt}
            onInput={(e) => setSignedAt(e.currentTarget.value)}
          />
        </Field>
      </div>
      <FormFooter busy={busy} failure={failure} submit={t('act.submitSign')} onCancel={props.onCancel} />
    </form>
  );
}
