import { describe, expect, it } from 'vitest';
import { clvSettings, parseConfig } from '../../../core/config.ts';

describe('clv settings of issue 17 section 4', () => {
  it('default to 90/180/365-day backtests, a 25% drift warning without blocking, 100 draws, 24 months', () => {
    const settings = clvSettings(parseConfig({}));
    expect(settings.backtestDays).toEqual([90, 180, 365]);
    expect(settings.driftThreshold).toBe(0.25);
    expect(settings.blockOnDrift).toBe(false);
    expect(settings.intervalDraws).toBe(100);
    expect(settings.cashflowMonths).toBe(24);
  });

  it('take configured values and refuse wrong ones naming the setting', () => {
    const settings = clvSettings(
      parseConfig({ clv: { backtestDays: [30], driftThreshold: 0.1, blockOnDrift: true, intervalDraws: 0 } }),
    );
    expect(settings).toMatchObject({
      backtestDays: [30],
      driftThreshold: 0.1,
      blockOnDrift: true,
      intervalDraws: 0,
    });
    expect(() => parseConfig({ clv: { blockOnDrift: 'yes' } })).toThrow(/clv\.blockOnDrift/);
    expect(() => parseConfig({ clv: { backtestDays: [0] } })).toThrow(/clv\.backtestDays/);
    expect(() => parseConfig({ clv: { driftThreshold: 0 } })).toThrow(/clv\.driftThreshold/);
  });
});
