import type { OpenAPIObject } from '@nestjs/swagger';
import type { HeaderObject, OperationObject, ParameterObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EntityRegistry } from '@lib/metadata';
import { isTraceLinked } from '../trace-page/trace-page.controller';
import { urnPattern } from './openapi';

/** What the tracing middleware puts on every answer (libs/telemetry HttpTracingMiddleware). */
const TRACEPARENT: HeaderObject = {
  description: 'W3C trace context of this request, `00-<traceId>-<spanId>-<flags>`. The whole value, or its trace id, is accepted by the trace endpoint.',
  required: true,
  schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', example: '00-00062c53a468cbd8077e7dd079846870-9199effb49910b4e-01' },
};

/** What traceLinkMiddleware puts on every answer of a write route: the trace page of the request. */
const LINK: HeaderObject = {
  description: 'The trace page of this request: `</trace/<traceId>>; rel="trace"`.',
  required: true,
  schema: { type: 'string', pattern: '^</trace/[0-9a-f]{32}>; rel="trace"$', example: '</trace/00062c53a468cbd8077e7dd079846870>; rel="trace"' },
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of the document, with its method and path. */
export function operationsOf(document: OpenAPIObject): { method: string; path: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method] as OperationObject })),
  );
}

const alternatives = (names: string[]): string => `(?:${names.join('|')})`;

/**
 * Completes the document Nest builds from the decorators with what only the running service knows, so that it says
 * exactly what the service answers:
 * - every answer carries `traceparent` (the tracing middleware runs before routing), and every answer of a write
 *   route `Link` to its trace page (traceLinkMiddleware, same rule: isTraceLinked);
 * - the registry's names: `{entityName}` is one of its entity types, `{aspectName}` one of its aspects, the rest.li
 *   `aspect` query one of its versioned aspects and `aspects` a `List(...)` of its aspects, and every URN - a path
 *   parameter or a field of a request body - one of its entity types.
 */
export function completeOpenApiDocument(document: OpenAPIObject, registry: EntityRegistry): OpenAPIObject {
  const entityNames = registry.entityNames();
  const aspectsOf = (filter: (entity: string, aspect: string) => boolean) =>
    [...new Set(entityNames.flatMap((e) => registry.aspectNames(e).filter((a) => filter(e, a))))].sort();
  const allAspects = aspectsOf(() => true);
  const versionedAspects = aspectsOf((e, a) => !registry.isTimeseries(e, a));
  const registered = urnPattern(alternatives(entityNames));
  const generic = urnPattern();

  for (const { method, path, operation } of operationsOf(document)) {
    for (const param of (operation.parameters ?? []) as ParameterObject[]) {
      const schema = param.schema as SchemaObject | undefined;
      if (!schema) continue;
      if (param.in === 'path' && param.name === 'entityName') schema.enum = entityNames;
      else if (param.in === 'path' && param.name === 'aspectName') schema.enum = allAspects;
      else if (param.in === 'path' && param.name === 'urn') schema.pattern = registered;
      else if (param.in === 'query' && param.name === 'aspect' && path.startsWith('/aspects/')) schema.enum = versionedAspects;
      else if (param.in === 'query' && param.name === 'aspects' && path.startsWith('/entitiesV2/')) {
        const name = alternatives(allAspects);
        schema.pattern = `^List\\((${name}(,${name})*)?\\)$`;
      }
    }
    for (const media of Object.values((operation.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {})) {
      narrowUrns(media.schema, generic, registered);
    }
    const linked = isTraceLinked(method.toUpperCase(), path);
    // A copy per operation: Nest shares the response objects of a controller's class-level decorators.
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response) continue;
      operation.responses[status] = { ...response, headers: { traceparent: TRACEPARENT, ...(linked ? { Link: LINK } : {}), ...response.headers } };
    }
  }
  return document;
}

/** Gives every URN schema (the generic URN pattern) in a request body's schema the registry's entity types. */
function narrowUrns(schema: unknown, generic: string, registered: string): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(s)) {
    if (value && typeof value === 'object' && (value as SchemaObject).pattern === generic) s[key] = { ...value, pattern: registered };
    else narrowUrns(value, generic, registered);
  }
}
