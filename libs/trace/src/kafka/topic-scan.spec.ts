import { planTopicScan } from './topic-scan';

const ranges = [
  { partition: 0, low: '0', high: '100' },
  { partition: 1, low: '40', high: '90' },
  { partition: 2, low: '7', high: '7' },
];

describe('planTopicScan', () => {
  it('scans from the offset of the trace time to the high watermark', () => {
    const scan = planTopicScan('t', ranges, [
      { partition: 0, offset: '60' },
      { partition: 1, offset: '90' }, // nothing that new: Kafka answers the high watermark
      { partition: 2, offset: '7' },
    ]);
    expect(scan.partitions).toBe(3);
    expect(scan.windows.get(0)).toEqual({ partition: 0, start: 60n, end: 100n });
    expect(scan.windows.get(1)).toEqual({ partition: 1, start: 90n, end: 90n });
    expect(scan.windows.get(2)).toEqual({ partition: 2, start: 7n, end: 7n });
  });

  it('scans everything retained when the trace has no time', () => {
    const scan = planTopicScan('t', ranges);
    expect(scan.windows.get(0)).toEqual({ partition: 0, start: 0n, end: 100n });
    expect(scan.windows.get(1)).toEqual({ partition: 1, start: 40n, end: 90n });
  });

  it('never starts before the earliest retained offset, nor after the end, and ignores -1', () => {
    const scan = planTopicScan('t', ranges, [
      { partition: 0, offset: '-1' },
      { partition: 1, offset: '10' },
      { partition: 2, offset: '9' },
    ]);
    expect(scan.windows.get(0)?.start).toBe(0n);
    expect(scan.windows.get(1)?.start).toBe(40n);
    expect(scan.windows.get(2)).toEqual({ partition: 2, start: 7n, end: 7n });
  });

  it('handles 64-bit offsets', () => {
    const scan = planTopicScan('t', [{ partition: 0, low: '9007199254740993', high: '9007199254740999' }]);
    expect(scan.windows.get(0)).toEqual({ partition: 0, start: 9007199254740993n, end: 9007199254740999n });
  });
});
