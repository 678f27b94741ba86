/**
 * The key under which an organisation name is reserved: names are unique per country, whatever their case,
 * spacing or Unicode composition. `organizationNameKey('fr', '  Pôle  Mer ')` is `fr:pôle mer`.
 */
export const organizationNameKey = (country: string, name: string): string => {
  const normalise = (text: string) =>
    text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase().normalize('NFC');
  return `${normalise(country)}:${normalise(name)}`;
};
