import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './session';
import type { KnownOrganization } from './types';

export interface AppContextValue {
  session: Session;
  /** Every registered organisation, by id (names, sides, regions, contacts for the forms). */
  organizations: Map<string, KnownOrganization>;
  reloadOrganizations(): void;
  /** Fetches organisations missing from the list (registered since, or beyond its page). */
  ensureOrganizations(ids: string[]): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in shell');
  return value;
}
