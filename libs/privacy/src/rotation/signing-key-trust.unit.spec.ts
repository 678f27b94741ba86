import { sign } from 'node:crypto';
import { generateSigningKey, parseSigningKey, type SigningKey } from '../signed-heads';
import { successionMessage, trustFrom, type SigningKeySuccession } from './signing-key-ring';

const [a, b, c, intruder] = Array.from({ length: 4 }, () => parseSigningKey(generateSigningKey()));

const succession = (previous: SigningKey, next: SigningKey, lastPosition: number): SigningKeySuccession => {
  const fields = { previous: previous.publicKeyText, next: next.publicKeyText, lastPosition };
  const message = successionMessage(fields);
  return {
    ...fields,
    signatureByPrevious: sign(null, message, previous.privateKey).toString('base64'),
    signatureByNext: sign(null, message, next.privateKey).toString('base64'),
  };
};

describe('which signing keys to trust', () => {
  it('trusts the configured keys without a limit', () => {
    expect(trustFrom([c.publicKeyText], [])).toEqual({
      trustedPublicKeys: [c.publicKeyText],
      signerLimits: new Map(),
    });
  });

  it('follows the successions back from a configured key, each earlier key up to where it stopped', () => {
    const trust = trustFrom([c.publicKeyText], [succession(a, b, 10), succession(b, c, 25)]);
    expect(new Set(trust.trustedPublicKeys)).toEqual(new Set([a, b, c].map((key) => key.publicKeyText)));
    expect(trust.signerLimits).toEqual(
      new Map([
        [a.publicKeyText, 10],
        [b.publicKeyText, 25],
      ]),
    );
  });

  it('limits a previous key even while it is still configured beside the new one', () => {
    const trust = trustFrom([c.publicKeyText, b.publicKeyText], [succession(b, c, 25)]);
    expect(trust.signerLimits.get(b.publicKeyText)).toBe(25);
  });

  it('does not follow a succession to a key nobody configured, nor one whose signatures do not hold', () => {
    // The old key alone cannot vouch for a successor: a leaked key would name its thief's key.
    expect(trustFrom([a.publicKeyText], [succession(a, intruder, 10)]).trustedPublicKeys).toEqual([
      a.publicKeyText,
    ]);
    const stretched = { ...succession(a, c, 10), lastPosition: 1000 };
    expect(trustFrom([c.publicKeyText], [stretched]).trustedPublicKeys).toEqual([c.publicKeyText]);
    const signedByOneOnly = {
      ...succession(a, c, 10),
      signatureByPrevious: succession(intruder, c, 10).signatureByPrevious,
    };
    expect(trustFrom([c.publicKeyText], [signedByOneOnly]).trustedPublicKeys).toEqual([c.publicKeyText]);
  });
});
