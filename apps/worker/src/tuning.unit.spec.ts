import { ConfigError } from '@passerelle/config';
import { TUNING_FLAGS, tuningFrom } from './tuning';

describe('worker tuning flags', () => {
  it('maps each flag to its setting', () => {
    expect(
      tuningFrom({
        concurrency: '16',
        'lock-duration-ms': '2000',
        'sending-timeout-ms': '5000',
        'backoff-ms': '100',
      }),
    ).toEqual({ concurrency: 16, lockDurationMs: 2000, sendingTimeoutMs: 5000, backoffMs: 100 });
    expect(tuningFrom({})).toEqual({});
    expect(TUNING_FLAGS).toContain('batch-size');
  });

  it('refuses anything but a positive whole number', () => {
    for (const bad of ['0', '-1', '1.5', 'ten', '']) {
      expect(() => tuningFrom({ attempts: bad })).toThrow(ConfigError);
    }
  });
});
