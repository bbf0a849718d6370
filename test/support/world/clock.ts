// The world's clock: fixed until a test moves it.
export interface Clock {
  now: () => string;
  advanceMinutes(minutes: number): string;
  epochSeconds(): number;
}

export function testClock(start: string): Clock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t).toISOString(),
    advanceMinutes: (minutes) => new Date((t += minutes * 60_000)).toISOString(),
    epochSeconds: () => Math.floor(t / 1000),
  };
}
