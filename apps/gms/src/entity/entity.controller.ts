import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CREATE_IF_ENTITY_NOT_EXISTS, CREATE_IF_NOT_EXISTS, IF_VERSION_MATCH } from '@lib/ingest';
import { Actor, RequireScope } from '../auth/auth.decorators';
import { ApiAspectNameParam, ApiEntityNameParam, ApiErrorResponses, ApiJsonResponse, ApiUrnParam, IF_VERSION_MATCH_SCHEMA } from '../http/openapi';
import { AspectEnvelope, AspectVersion, EntityEnvelope, EntityService } from './entity.service';
import {
  ASPECT_ENVELOPE_SCHEMA,
  ASPECT_RESPONSE_SCHEMA,
  BATCH_BODY_EXAMPLES,
  BATCH_BODY_SCHEMA,
  ENTITIES_RESPONSE_SCHEMA,
  ENTITY_RESPONSE_EXAMPLE,
  ENTITY_RESPONSE_SCHEMA,
  VERSIONS_RESPONSE_SCHEMA,
  WRITE_BAD_REQUEST,
} from './entity.openapi';
import { BatchWriteQuery, ReadQuery, SingleAspectWriteQuery, VersionsQuery } from './entity.query';
import { WriteRequestReader } from './write-request';

@ApiTags('entities (v3)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403, 503)
@Controller('openapi/v3/entity')
export class EntityController {
  constructor(
    private readonly entities: EntityService,
    private readonly reader: WriteRequestReader,
  ) {}

  @Post(':entityName')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Write aspects of one or more entities (a batch under one trace id)',
    description:
      'With async=true (the default) each aspect becomes a MetadataChangeProposal on Kafka and the answer is 202 at once; ' +
      'trace the write with the trace id of the `traceparent` response header (also `systemMetadata.properties.telemetryTraceId`). ' +
      'With async=false the aspects are stored before the answer (200).',
  })
  @ApiEntityNameParam()
  @ApiBody({ schema: BATCH_BODY_SCHEMA, examples: BATCH_BODY_EXAMPLES })
  @ApiJsonResponse(202, 'Accepted: the proposals are on Kafka.', ENTITIES_RESPONSE_SCHEMA, { accepted: { value: ENTITY_RESPONSE_EXAMPLE } })
  @ApiJsonResponse(200, 'Written (async=false).', ENTITIES_RESPONSE_SCHEMA)
  @ApiErrorResponses([400, WRITE_BAD_REQUEST], 412, 413, 429)
  writeBatch(
    @Param('entityName') entityName: string,
    @Body() body: unknown,
    @Query() query: BatchWriteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope[]> {
    const writes = this.reader.batch(entityName, body);
    res.status(query.async ? 202 : 200);
    return this.entities.write(writes, query.async, query.systemMetadata, actor);
  }

  @Post(':entityName/:urn/:aspectName')
  @RequireScope('write')
  @ApiOperation({ summary: 'Write one aspect of one entity', description: 'async defaults to false here: the aspect is stored before the answer.' })
  @ApiEntityNameParam()
  @ApiUrnParam()
  @ApiAspectNameParam()
  @ApiHeader({
    name: IF_VERSION_MATCH,
    required: false,
    description: 'Expected stored version of the aspect (-1: must not exist). A mismatch is 412 (sync) or a failed proposal (async).',
    schema: IF_VERSION_MATCH_SCHEMA,
  })
  @ApiBody({ schema: ASPECT_ENVELOPE_SCHEMA, examples: { status: { value: { value: { removed: false } } } } })
  @ApiJsonResponse(200, 'Written.', ENTITY_RESPONSE_SCHEMA)
  @ApiJsonResponse(202, 'Accepted (async=true).', ENTITY_RESPONSE_SCHEMA)
  @ApiErrorResponses([400, WRITE_BAD_REQUEST], [412, 'If-Version-Match or a create condition failed (sync).'], 413, 429)
  async writeOne(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Body() body: unknown,
    @Headers(IF_VERSION_MATCH.toLowerCase()) ifVersionMatch: string | undefined,
    @Query() query: SingleAspectWriteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope> {
    const headers = this.reader.conditionalHeaders(ifVersionMatch);
    if (!query.createIfNotExists) headers[CREATE_IF_NOT_EXISTS] = 'false';
    if (query.createIfEntityNotExists) headers[CREATE_IF_ENTITY_NOT_EXISTS] = 'true';
    const write = this.reader.single(entityName, urn, aspectName, body, headers);
    res.status(query.async ? 202 : 200);
    const [entity] = await this.entities.write([write], query.async, query.systemMetadata, actor);
    return entity;
  }

  @Get(':entityName/:urn')
  @RequireScope('read')
  @ApiOperation({ summary: 'The latest value of every aspect of an entity' })
  @ApiEntityNameParam()
  @ApiUrnParam()
  @ApiJsonResponse(200, 'Every stored aspect: `{urn, <aspect>: {value, systemMetadata?}}`.', ENTITY_RESPONSE_SCHEMA)
  @ApiErrorResponses(400, [404, 'No aspect of this entity is stored.'])
  getEntity(@Param('entityName') entityName: string, @Param('urn') urn: string, @Query() query: ReadQuery): Promise<EntityEnvelope> {
    this.reader.urn(this.reader.entityType(entityName), urn, 'urn');
    return this.entities.entity(urn, query.systemMetadata);
  }

  @Get(':entityName/:urn/:aspectName')
  @RequireScope('read')
  @ApiOperation({ summary: 'The latest value of one aspect' })
  @ApiEntityNameParam()
  @ApiUrnParam()
  @ApiAspectNameParam()
  @ApiJsonResponse(200, 'The aspect: `{value, systemMetadata?}`.', ASPECT_RESPONSE_SCHEMA)
  @ApiErrorResponses(400, [404, 'The aspect is not stored.'])
  getAspect(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Query() query: ReadQuery,
  ): Promise<AspectEnvelope> {
    const entityType = this.reader.entityType(entityName);
    this.reader.urn(entityType, urn, 'urn');
    return this.entities.aspect(urn, this.reader.aspectName(entityType, aspectName, 'aspectName'), query.systemMetadata);
  }

  @Get(':entityName/:urn/:aspectName/versions')
  @RequireScope('read')
  @ApiOperation({ summary: 'Write audit: every stored version of an aspect, who wrote it, when, and the value it replaced' })
  @ApiEntityNameParam()
  @ApiUrnParam()
  @ApiAspectNameParam()
  @ApiJsonResponse(200, 'The versions, oldest first.', VERSIONS_RESPONSE_SCHEMA)
  @ApiErrorResponses(400, [404, 'The aspect is not stored.'])
  getVersions(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Query() query: VersionsQuery,
  ): Promise<AspectVersion[]> {
    const entityType = this.reader.entityType(entityName);
    this.reader.urn(entityType, urn, 'urn');
    return this.entities.versions(urn, this.reader.aspectName(entityType, aspectName, 'aspectName'), query.limit);
  }
}
