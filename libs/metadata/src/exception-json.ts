import { relativeFrame } from '@lib/common';
import { ExceptionJson } from './types';

/** Enough frames to locate a failure; a whole Node stack would bloat every failed-topic message. */
export const MAX_STACK_LINES = 50;

/** Cause chains can be cyclic (err.cause = err); stop well before that matters. */
const MAX_CAUSE_DEPTH = 10;

/**
 * Converts a thrown value into the `error` array of a FailedMetadataChangeProposal: one entry, with the
 * cause chain nested. Serialise with JSON.stringify for the `error` field.
 */
export function exceptionToJson(err: unknown): ExceptionJson[] {
  return [describe(err, 0)];
}

function describe(err: unknown, depth: number): ExceptionJson {
  if (!(err instanceof Error)) {
    return { message: nonErrorMessage(err), exceptionClass: typeof err, stackTrace: [] };
  }
  const json: ExceptionJson = {
    message: err.message,
    exceptionClass: className(err),
    stackTrace: stackLines(err.stack),
  };
  if (err.cause !== undefined && err.cause !== err && depth < MAX_CAUSE_DEPTH) {
    json.cause = describe(err.cause, depth + 1);
  }
  return json;
}

/** `name` when a subclass set it, else the constructor's name (subclasses often forget to set `name`). */
function className(err: Error): string {
  if (err.name && err.name !== 'Error') return err.name;
  return err.constructor?.name || 'Error';
}

/** Frame lines only (`at f (file:1:2)`), trimmed, relative to the project (no server path); the header repeats the message. */
function stackLines(stack: string | undefined): string[] {
  if (!stack) return [];
  return stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, MAX_STACK_LINES)
    .map(relativeFrame);
}

function nonErrorMessage(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
