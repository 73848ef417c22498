import { NotFoundException } from '@nestjs/common';
import { PublishError } from '@lib/kafka';
import { DependencyUnavailable, unavailableOnOutage } from './outage';

describe('unavailableOnOutage', () => {
  it('calls Kafka and storage failures an outage (DependencyUnavailable: a 503)', async () => {
    const kafka = unavailableOnOutage(() => Promise.reject(new PublishError('Kafka did not accept the write')));
    await expect(kafka).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(kafka).rejects.toThrow('Kafka did not accept the write');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
    await expect(unavailableOnOutage(() => Promise.reject(refused))).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(unavailableOnOutage(() => Promise.reject(refused))).rejects.toThrow('storage unavailable: connect ECONNREFUSED');
  });

  it('lets HTTP errors and bugs through unchanged', async () => {
    await expect(unavailableOnOutage(() => Promise.reject(new NotFoundException('gone')))).rejects.toBeInstanceOf(NotFoundException);
    const bug = new TypeError("Cannot read properties of undefined (reading 'value')");
    await expect(unavailableOnOutage(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('returns what the work returns', async () => {
    await expect(unavailableOnOutage(() => Promise.resolve(42))).resolves.toBe(42);
  });
});
