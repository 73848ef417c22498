/** MCP / MCL / failed-MCP shaped values for tests. */
export function proposal(urn: string, aspectName: string, traceId: string): Record<string, unknown> {
  return {
    entityType: 'dataset',
    entityUrn: urn,
    changeType: 'UPSERT',
    aspectName,
    aspect: { value: '{"removed":false}', contentType: 'application/json' },
    systemMetadata: { lastObserved: 1, runId: 'no-run-id-provided', properties: { telemetryTraceId: traceId } },
  };
}

export function failedProposal(urn: string, aspectName: string, traceId: string, message: string): Record<string, unknown> {
  const error = [{ message, exceptionClass: 'com.linkedin.metadata.aspect.plugins.validation.AspectValidationException', stackTrace: ['at x'] }];
  return { error: JSON.stringify(error), metadataChangeProposal: proposal(urn, aspectName, traceId) };
}
