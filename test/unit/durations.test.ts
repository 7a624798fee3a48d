import { formatDuration, parseDuration } from '../../dsl/durations';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '5', '5 m', '5min', '-1s', '1.5h', 'm5'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
