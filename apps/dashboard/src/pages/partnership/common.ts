import { useApp } from '../../context';
import { useI18n } from '../../i18n';
import type { CommandResult } from '../../types';

/** What the sections of the partnership page share: the form that is open, who may act, party names. */
export type OpenForm =
  { kind: 'schedule' } | { kind: 'outcome'; id: string } | { kind: 'sign'; id: string } | null;

export interface Acting {
  enabled: boolean;
  /** Whether a signature may be recorded for this organisation (acting for one: only for it). */
  maySignFor(organizationId: string): boolean;
  open: OpenForm;
  setOpen(open: OpenForm): void;
  done(result: CommandResult): void;
}

export function useNames() {
  const { organizations } = useApp();
  const { t } = useI18n();
  return (id: string, details?: { id: string; name: string }[]) =>
    details?.find((d) => d.id === id)?.name ?? organizations.get(id)?.name ?? t('common.unknownOrg');
}
