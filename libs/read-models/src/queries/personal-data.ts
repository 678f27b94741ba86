/**
 * Opens the personal values a read model keeps sealed, exactly as the events carry them (names and
 * addresses of contacts, attendees, signers): given every value a response holds, answers how to read
 * each — in clear, or "[erased]" once the person's key is gone. The read models themselves never hold
 * them in clear, so forgetting a person leaves nothing to rewrite.
 */
export type PersonalDataOpener = (values: readonly string[]) => Promise<(value: string) => string>;

/** Values read as stored: for a log whose personal fields are not encrypted (unit and property tests). */
export const readAsStored: PersonalDataOpener = () => Promise.resolve((value) => value);
