import { estimatedWaitMs, judgePartition, LagState, PartitionSample } from './consumer-state';

/** Samples one second apart from [committed, end] pairs. */
function window(...points: [number, number][]): PartitionSample[] {
  return points.map(([committed, end], i) => ({ at: 1_000_000 + i * 1000, committed: BigInt(committed), end: BigInt(end) }));
}

describe('judgePartition: the lag-state rules (window of 4 samples)', () => {
  const cases: { name: string; samples: PartitionSample[]; members: number; state: LagState }[] = [
    { name: 'no member, no lag', samples: window([10, 10], [10, 10], [10, 10], [10, 10]), members: 0, state: 'STOPPED' },
    { name: 'no member, lag', samples: window([10, 20], [10, 30], [10, 40], [10, 50]), members: 0, state: 'STOPPED' },
    { name: 'no member, no sample yet', samples: [], members: 0, state: 'STOPPED' },
    { name: 'caught up at the end', samples: window([0, 10], [5, 12], [9, 14], [14, 14]), members: 1, state: 'OK' },
    { name: 'caught up once in the window, lag since', samples: window([10, 10], [10, 20], [10, 30], [10, 40]), members: 1, state: 'OK' },
    { name: 'window not full yet, not moving', samples: window([10, 20], [10, 20], [10, 20]), members: 1, state: 'OK' },
    { name: 'not moving with lag over the full window', samples: window([10, 20], [10, 20], [10, 25], [10, 30]), members: 1, state: 'STALLED' },
    { name: 'moving but lag grows at every sample', samples: window([10, 20], [12, 25], [14, 30], [16, 35]), members: 2, state: 'BEHIND' },
    { name: 'moving, lag grows then holds', samples: window([10, 20], [12, 25], [17, 30], [22, 35]), members: 1, state: 'BEHIND' },
    { name: 'moving, lag shrinks once', samples: window([10, 20], [12, 25], [20, 28], [22, 35]), members: 1, state: 'OK' },
    { name: 'moving, lag constant', samples: window([10, 20], [15, 25], [20, 30], [25, 35]), members: 1, state: 'OK' },
    { name: 'moving, lag shrinking', samples: window([10, 40], [20, 40], [30, 45], [40, 45]), members: 1, state: 'OK' },
  ];
  it.each(cases)('$name -> $state', ({ samples, members, state }) => {
    expect(judgePartition(samples, 4, members).state).toBe(state);
  });

  it('gives the latest lag and the committed rate over the window', () => {
    const judged = judgePartition(window([10, 20], [12, 25], [14, 30], [16, 35]), 4, 1);
    expect(judged.lag).toBe(19);
    expect(judged.rate).toBeCloseTo(2, 5); // 6 messages in 3 s
  });

  it('never reports a negative lag or rate (a committed offset past the sampled end, a reset group)', () => {
    expect(judgePartition(window([30, 20]), 4, 1)).toMatchObject({ lag: 0, rate: 0 });
    expect(judgePartition(window([30, 40], [10, 40]), 4, 1).rate).toBe(0);
  });
});

describe('estimatedWaitMs', () => {
  it.each([
    { ahead: 10, rate: 5, state: 'OK' as LagState, wait: 2000 },
    { ahead: 0, rate: 5, state: 'BEHIND' as LagState, wait: 0 },
    { ahead: 10, rate: 0, state: 'OK' as LagState, wait: undefined },
    { ahead: 10, rate: 5, state: 'STALLED' as LagState, wait: undefined },
    { ahead: 10, rate: 5, state: 'STOPPED' as LagState, wait: undefined },
  ])('$ahead messages ahead at $rate/s while $state -> $wait', ({ ahead, rate, state, wait }) => {
    expect(estimatedWaitMs(ahead, rate, state)).toBe(wait);
  });
});
