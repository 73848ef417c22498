import { redact, relativeFrame } from './redact';

describe('redact', () => {
  it.each([
    ['connect ECONNREFUSED 10.1.2.3:9092', 'connect ECONNREFUSED <address>'],
    ['Connection error: connect ECONNREFUSED 127.0.0.1:3306', 'Connection error: connect ECONNREFUSED <address>'],
    ['getaddrinfo ENOTFOUND kafka-0.kafka.prod.internal:9093', 'getaddrinfo ENOTFOUND <address>'],
    ['connect ECONNREFUSED [::1]:9200', 'connect ECONNREFUSED <address>'],
    ["ENOENT: no such file or directory, open '/srv/app/certs/ca.pem'", "ENOENT: no such file or directory, open '<path>'"],
    ['Expected version -10000, actual version -1', 'Expected version -10000, actual version -1'],
    ['urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD) has no aspect status', 'urn:li:dataset:(urn:li:dataPlatform:hive,db.t,PROD) has no aspect status'],
    ['timed out after 5000 ms', 'timed out after 5000 ms'],
  ])('%s', (message, redacted) => {
    expect(redact(message)).toBe(redacted);
  });
});

describe('relativeFrame', () => {
  it.each([
    [
      'at ProposalApplier.apply (/srv/app/dist/libs/ingest/src/proposal-applier.js:40:17)',
      'at ProposalApplier.apply (dist/libs/ingest/src/proposal-applier.js:40:17)',
    ],
    ['at Runner.run (/home/ci/work/main/node_modules/kafkajs/src/consumer/runner.js:1:2)', 'at Runner.run (node_modules/kafkajs/src/consumer/runner.js:1:2)'],
    ['at file:///srv/app/dist/apps/gms/src/main.js:3:4', 'at dist/apps/gms/src/main.js:3:4'],
    [
      'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      'at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ],
    ['at somewhere (/opt/other/thing.js:1:1)', 'at somewhere (<path>:1:1)'],
  ])('%s', (frame, relative) => {
    expect(relativeFrame(frame)).toBe(relative);
  });
});
