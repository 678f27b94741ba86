import { Language, LANGUAGES } from '@passerelle/domain';

/**
 * The language a reader asked for in `Accept-Language` (RFC 9110): of English and French, the one with
 * the highest weight, the first listed on a tie; English when the header names neither.
 */
export function readerLanguage(acceptLanguage: string | undefined): Language {
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim());
      const weight = parameters.find((parameter) => /^q=/i.test(parameter));
      return {
        language: range.toLowerCase().split('-')[0] ?? '',
        quality: weight === undefined ? 1 : Number(weight.slice(2)),
        index,
      };
    })
    .filter((range) => range.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  const known = ranges.find((range) => (LANGUAGES as readonly string[]).includes(range.language));
  return (known?.language as Language | undefined) ?? 'en';
}
