import { WriteException } from './write-status';

/**
 * The `error` field of a FailedMetadataChangeProposal_v1 message: a JSON array of
 * {message, exceptionClass, stackTrace[], cause?}. Anything else is kept as a single exception
 * carrying the raw text, so a detailed trace never loses the failure or throws on it.
 */
export function parseWriteExceptions(error: string): WriteException[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(error);
  } catch {
    return [rawException(error)];
  }
  if (!Array.isArray(parsed)) return [rawException(error)];
  return parsed.map((item) => toException(item) ?? rawException(JSON.stringify(item)));
}

function toException(value: unknown): WriteException | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.message !== 'string') return undefined;
  const exception: WriteException = {
    message: v.message,
    exceptionClass: typeof v.exceptionClass === 'string' ? v.exceptionClass : '',
    stackTrace: Array.isArray(v.stackTrace) ? v.stackTrace.map(String) : [],
  };
  const cause = toException(v.cause);
  if (cause !== undefined) exception.cause = cause;
  return exception;
}

function rawException(text: string): WriteException {
  return { message: text, exceptionClass: '', stackTrace: [] };
}
