import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const SWAGGER_UI_PATH = 'openapi/swagger-ui';
export const OPENAPI_JSON_PATH = 'openapi/v3/api-docs';

/** Swagger UI at /openapi/swagger-ui and the OpenAPI document beside it. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Metadata write tracing')
    .setDescription(
      'Write aspects of entities (asynchronously through Kafka, or synchronously) and trace each write through ' +
        'primary storage (SQL) and search storage (OpenSearch). Every response carries a W3C `traceparent` header.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A token with the `read` and/or `write` scope (the quickstart prints one).',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: 'openapi/v3/api-docs.yaml' });
}
