import { BadRequestException, Body, Controller, DefaultValuePipe, Get, Headers, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Settings } from '@lib/config';
import { CREATE_IF_ENTITY_NOT_EXISTS, CREATE_IF_NOT_EXISTS, IF_VERSION_MATCH } from '@lib/ingest';
import { EntityRegistry } from '@lib/metadata';
import { queryFlag } from '../http/query-flag';
import { AspectEnvelope, AspectVersion, EntityEnvelope, EntityService } from './entity.service';
import { ASPECT_ENVELOPE_SCHEMA, BATCH_BODY_EXAMPLES, BATCH_BODY_SCHEMA, ENTITY_RESPONSE_EXAMPLE, ERROR_RESPONSES, TRACEPARENT_HEADER } from './entity.openapi';
import { WriteRequestReader } from './write-request';
import { Actor, RequireScope } from '../auth/auth.decorators';

const ErrorResponses = () => (target: object, key: string, descriptor: PropertyDescriptor) => {
  for (const r of ERROR_RESPONSES) ApiResponse({ ...r, headers: TRACEPARENT_HEADER })(target, key, descriptor);
};

@ApiTags('entities (v3)')
@ApiBearerAuth()
@Controller('openapi/v3/entity')
export class EntityController {
  private readonly reader: WriteRequestReader;

  constructor(
    private readonly entities: EntityService,
    registry: EntityRegistry,
    settings: Settings,
  ) {
    this.reader = new WriteRequestReader(registry, settings.limits.maxBatchAspects, settings.limits.maxAspectBytes);
  }

  @Post(':entityName')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Write aspects of one or more entities (a batch under one trace id)',
    description:
      'With async=true (the default) each aspect becomes a MetadataChangeProposal on Kafka and the answer is 202 at once; ' +
      'trace the write with the trace id of the `traceparent` response header (also `systemMetadata.properties.telemetryTraceId`). ' +
      'With async=false the aspects are stored before the answer (200).',
  })
  @ApiParam({ name: 'entityName', example: 'dataset' })
  @ApiQuery({ name: 'async', required: false, schema: { type: 'boolean', default: true } })
  @ApiQuery({ name: 'systemMetadata', required: false, schema: { type: 'boolean', default: false }, description: "Return each aspect's systemMetadata." })
  @ApiBody({ schema: BATCH_BODY_SCHEMA, examples: BATCH_BODY_EXAMPLES })
  @ApiResponse({ status: 202, description: 'Accepted: the proposals are on Kafka.', headers: TRACEPARENT_HEADER, schema: { example: ENTITY_RESPONSE_EXAMPLE } })
  @ApiResponse({ status: 200, description: 'Written (async=false).', headers: TRACEPARENT_HEADER })
  @ErrorResponses()
  async writeBatch(
    @Param('entityName') entityName: string,
    @Body() body: unknown,
    @Query('async') asyncParam: string | undefined,
    @Query('systemMetadata') smParam: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope[]> {
    const async = queryFlag('async', asyncParam, true);
    const withSm = queryFlag('systemMetadata', smParam, false);
    const writes = this.reader.batch(entityName, body);
    res.status(async ? 202 : 200);
    return this.entities.write(writes, async, withSm, actor);
  }

  @Post(':entityName/:urn/:aspectName')
  @RequireScope('write')
  @ApiOperation({ summary: 'Write one aspect of one entity', description: 'async defaults to false here: the aspect is stored before the answer.' })
  @ApiParam({ name: 'entityName', example: 'dataset' })
  @ApiParam({ name: 'urn', example: 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)' })
  @ApiParam({ name: 'aspectName', example: 'status' })
  @ApiQuery({ name: 'async', required: false, schema: { type: 'boolean', default: false } })
  @ApiQuery({ name: 'systemMetadata', required: false, schema: { type: 'boolean', default: false } })
  @ApiQuery({
    name: 'createIfNotExists',
    required: false,
    schema: { type: 'boolean', default: true },
    description: 'false: only update an aspect that exists (else 412).',
  })
  @ApiQuery({
    name: 'createIfEntityNotExists',
    required: false,
    schema: { type: 'boolean', default: false },
    description: 'true: only write when the entity has no aspect yet (else 412).',
  })
  @ApiHeader({
    name: IF_VERSION_MATCH,
    required: false,
    description: 'Expected stored version of the aspect (-1: must not exist). A mismatch is 412 (sync) or a failed proposal (async).',
  })
  @ApiBody({ schema: ASPECT_ENVELOPE_SCHEMA, examples: { status: { value: { value: { removed: false } } } } })
  @ApiResponse({ status: 200, description: 'Written.', headers: TRACEPARENT_HEADER })
  @ApiResponse({ status: 202, description: 'Accepted (async=true).', headers: TRACEPARENT_HEADER })
  @ApiResponse({ status: 412, description: 'If-Version-Match or a create condition failed (sync).' })
  @ErrorResponses()
  async writeOne(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Body() body: unknown,
    @Headers(IF_VERSION_MATCH.toLowerCase()) ifVersionMatch: string | undefined,
    @Query('async') asyncParam: string | undefined,
    @Query('systemMetadata') smParam: string | undefined,
    @Query('createIfNotExists') createParam: string | undefined,
    @Query('createIfEntityNotExists') createEntityParam: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope> {
    const async = queryFlag('async', asyncParam, false);
    const withSm = queryFlag('systemMetadata', smParam, false);
    const headers = this.reader.conditionalHeaders(ifVersionMatch);
    if (!queryFlag('createIfNotExists', createParam, true)) headers[CREATE_IF_NOT_EXISTS] = 'false';
    if (queryFlag('createIfEntityNotExists', createEntityParam, false)) headers[CREATE_IF_ENTITY_NOT_EXISTS] = 'true';
    const write = this.reader.single(entityName, urn, aspectName, body, headers);
    res.status(async ? 202 : 200);
    const [entity] = await this.entities.write([write], async, withSm, actor);
    return entity;
  }

  @Get(':entityName/:urn')
  @RequireScope('read')
  @ApiOperation({ summary: 'The latest value of every aspect of an entity' })
  @ApiParam({ name: 'urn', example: 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)' })
  @ApiQuery({ name: 'systemMetadata', required: false, schema: { type: 'boolean', default: false } })
  @ApiResponse({ status: 404, description: 'No aspect of this entity is stored.' })
  getEntity(@Param('entityName') entityName: string, @Param('urn') urn: string, @Query('systemMetadata') smParam: string | undefined): Promise<EntityEnvelope> {
    this.reader.urn(this.reader.entityType(entityName), urn, 'urn');
    return this.entities.entity(urn, queryFlag('systemMetadata', smParam, false));
  }

  @Get(':entityName/:urn/:aspectName')
  @RequireScope('read')
  @ApiOperation({ summary: 'The latest value of one aspect' })
  @ApiQuery({ name: 'systemMetadata', required: false, schema: { type: 'boolean', default: false } })
  @ApiResponse({ status: 404, description: 'The aspect is not stored.' })
  getAspect(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Query('systemMetadata') smParam: string | undefined,
  ): Promise<AspectEnvelope> {
    const entityType = this.reader.entityType(entityName);
    this.reader.urn(entityType, urn, 'urn');
    return this.entities.aspect(urn, this.reader.aspectName(entityType, aspectName, 'aspectName'), queryFlag('systemMetadata', smParam, false));
  }

  @Get(':entityName/:urn/:aspectName/versions')
  @RequireScope('read')
  @ApiOperation({ summary: 'Write audit: every stored version of an aspect, who wrote it, when, and the value it replaced' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: 'most versions listed, oldest first',
    schema: { type: 'integer', default: 100, minimum: 1, maximum: 1000 },
  })
  getVersions(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Query('limit', new DefaultValuePipe(100), new ParseIntPipe()) limit: number,
  ): Promise<AspectVersion[]> {
    const entityType = this.reader.entityType(entityName);
    this.reader.urn(entityType, urn, 'urn');
    return this.entities.versions(urn, this.reader.aspectName(entityType, aspectName, 'aspectName'), limitIn(limit, 1, 1000));
  }
}

/** A `limit` query value inside [min, max], or a 400 that says so. */
function limitIn(limit: number, min: number, max: number): number {
  if (limit < min || limit > max) throw new BadRequestException(`limit must be a whole number from ${min} to ${max}, not ${limit}`);
  return limit;
}
