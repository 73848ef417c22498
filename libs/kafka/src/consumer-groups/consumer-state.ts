/**
 * How a consumer group is doing on one partition, judged over a sliding window of samples the way
 * linkedin/Burrow evaluates consumer lag (its rules, reduced to the four states we report):
 *
 *   STOPPED  the group has no member: nothing reads the partition, whatever its lag.
 *   OK       some sample of the window has no lag (the consumer caught up within the window), or the
 *            window is not full yet (too little history to say more), or none of the rules below holds.
 *   STALLED  the committed offset did not move over the whole window while there was lag.
 *   BEHIND   the committed offset moves, but the lag grew from every sample to the next (never shrank)
 *            and is larger at the end than at the start: the consumer is slower than the producers.
 *
 * Each rule lives here and only here; the monitor (ConsumerGroupMonitor) only gathers the samples.
 */

export const LagState = { OK: 'OK', BEHIND: 'BEHIND', STALLED: 'STALLED', STOPPED: 'STOPPED' } as const;
export type LagState = (typeof LagState)[keyof typeof LagState];

/** One observation of a partition: the group's committed offset (next to read) and the high watermark. */
export interface PartitionSample {
  /** When it was read (epoch ms). */
  at: number;
  committed: bigint;
  end: bigint;
}

/** What the window says of one partition. */
export interface PartitionJudgement {
  state: LagState;
  /** end - committed at the latest sample (never negative). */
  lag: number;
  /** Messages committed per second over the window; 0 with fewer than two samples. */
  rate: number;
}

export function lagOf(sample: PartitionSample): number {
  const lag = sample.end - sample.committed;
  return lag > 0n ? Number(lag) : 0;
}

/**
 * Judges a partition from its samples (oldest first; `windowSize` is how many a full window holds) and the
 * group's member count.
 */
export function judgePartition(samples: readonly PartitionSample[], windowSize: number, members: number): PartitionJudgement {
  const last = samples.at(-1);
  if (last === undefined) return { state: members === 0 ? LagState.STOPPED : LagState.OK, lag: 0, rate: 0 };
  const first = samples[0];
  const lag = lagOf(last);
  const rate = consumptionRate(first, last);
  return { state: stateOf(samples, windowSize, members), lag, rate };
}

function stateOf(samples: readonly PartitionSample[], windowSize: number, members: number): LagState {
  if (members === 0) return LagState.STOPPED;
  const lags = samples.map(lagOf);
  if (lags.some((l) => l === 0)) return LagState.OK;
  if (samples.length < Math.max(2, windowSize)) return LagState.OK;
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first.committed === last.committed) return LagState.STALLED;
  const neverShrank = lags.every((l, i) => i === 0 || l >= lags[i - 1]);
  if (neverShrank && lags[lags.length - 1] > lags[0]) return LagState.BEHIND;
  return LagState.OK;
}

/** Committed messages per second between two samples (0 when they are the same instant or went backwards). */
export function consumptionRate(from: PartitionSample, to: PartitionSample): number {
  const seconds = (to.at - from.at) / 1000;
  const moved = Number(to.committed - from.committed);
  return seconds > 0 && moved > 0 ? moved / seconds : 0;
}

/**
 * How long until the group reaches a message `ahead` messages past its committed offset, at `rate`
 * messages per second: undefined when it is not moving (no rate, or not reading at all).
 */
export function estimatedWaitMs(ahead: number, rate: number, state: LagState): number | undefined {
  if (state === LagState.STOPPED || state === LagState.STALLED || rate <= 0) return undefined;
  return Math.ceil((ahead / rate) * 1000);
}
