import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { PublishError } from '@lib/kafka';
import { unavailableOnOutage } from './entity.service';

describe('unavailableOnOutage', () => {
  it('answers 503 for Kafka and storage failures', async () => {
    await expect(unavailableOnOutage(() => Promise.reject(new PublishError('Kafka did not accept the write')))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' });
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
