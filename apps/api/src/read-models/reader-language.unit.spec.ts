import { readerLanguage } from './reader-language';

describe('the reader’s language from Accept-Language', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['fr', 'fr'],
    ['fr-FR,fr;q=0.9', 'fr'],
    ['fr-CA', 'fr'],
    ['en-US,en;q=0.9,fr;q=0.8', 'en'],
    ['en;q=0.5, fr;q=0.8', 'fr'],
    ['de-DE,de;q=0.9,fr;q=0.7,en;q=0.5', 'fr'],
    ['de-DE,de;q=0.9', 'en'],
    ['fr;q=0, en;q=0.1', 'en'],
    ['FR-fr', 'fr'],
    ['*', 'en'],
    ['fr;q=abc', 'en'],
    [' , ;q=1, fr ', 'fr'],
  ])('%j → %s', (header, language) => {
    expect(readerLanguage(header)).toBe(language);
  });
});
