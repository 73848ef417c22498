import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { EntityRegistry } from '@lib/metadata';
import { completeOpenApiDocument } from './http/openapi-document';

export const SWAGGER_UI_PATH = 'openapi/swagger-ui';
export const OPENAPI_JSON_PATH = 'openapi/v3/api-docs';

/** The service's OpenAPI document: Nest's, from the decorators, completed with the registry and the middleware's headers. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Metadata write tracing')
    .setDescription(
      'Write aspects of entities (asynchronously through Kafka, or synchronously) and trace each write through ' +
        'primary storage (SQL) and search storage (OpenSearch). Every response carries a W3C `traceparent` header; ' +
        'every error answer is one JSON shape, `ApiError` (`{statusCode, message, error}`).',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A token with the `read` and/or `write` scope (the quickstart prints one).',
    })
    .build();
  return completeOpenApiDocument(SwaggerModule.createDocument(app, config), app.get(EntityRegistry));
}

/** Swagger UI at /openapi/swagger-ui and the OpenAPI document beside it. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: 'openapi/v3/api-docs.yaml' });
}
