import { withoutAddress } from './delivery';

describe('an SMTP error stored without the address it quotes', () => {
  it('replaces every mention, in any case, and leaves the rest of the text', () => {
    expect(
      withoutAddress(
        "Can't send mail - all recipients were rejected: 550 5.1.1 <Bruno.M@Polemer.example.fr>: Recipient address rejected (bruno.m@polemer.example.fr)",
        'bruno.m@polemer.example.fr',
      ),
    ).toBe(
      "Can't send mail - all recipients were rejected: 550 5.1.1 <<recipient>>: Recipient address rejected (<recipient>)",
    );
    expect(withoutAddress('Connection timeout', 'ana@example.org')).toBe('Connection timeout');
  });
});
