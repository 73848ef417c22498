import { Body, Controller, Headers, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IF_VERSION_MATCH } from '@lib/ingest';
import { Actor, RequireScope } from '../auth/auth.decorators';
import { ApiAspectNameParam, ApiEntityNameParam, ApiErrorResponses, ApiJsonResponse, ApiUrnParam, IF_VERSION_MATCH_SCHEMA } from '../http/openapi';
import { EntityEnvelope, EntityService } from './entity.service';
import {
  ENTITIES_RESPONSE_SCHEMA,
  ENTITY_RESPONSE_SCHEMA,
  PATCH_BATCH_BODY_SCHEMA,
  PATCH_BATCH_EXAMPLES,
  PATCH_DOCUMENT_SCHEMA,
  PATCH_SINGLE_EXAMPLES,
  WRITE_BAD_REQUEST,
} from './entity.openapi';
import { BatchWriteQuery, SingleWriteQuery } from './entity.query';
import { WriteRequestReader } from './write-request';

const PATCH_DESCRIPTION =
  'Each value is a JSON Patch (RFC 6902: add, remove, replace, copy, move, test), applied by the consumer to the latest stored value ' +
  "(or the aspect's empty value) inside its SQL transaction, so concurrent patches of one aspect never lose an update. " +
  "Arrays named in `arrayPrimaryKeys` (and tags, terms, owners, upstreams... by default) are addressed by their elements' keys: `/tags/<tag urn>`. " +
  'A patch that does not apply (a failed test, a missing path, a result that fails the schema) is a failed write (trace ERROR with the reason; 409 when sync); ' +
  'one that changes nothing is a no-op.';

@ApiTags('entities (v3)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403, 503)
@Controller('openapi/v3/entity')
export class EntityPatchController {
  constructor(
    private readonly entities: EntityService,
    private readonly reader: WriteRequestReader,
  ) {}

  @Patch(':entityName')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Patch aspects of one or more entities (a batch under one trace id)',
    description: `${PATCH_DESCRIPTION} async defaults to true (202).`,
  })
  @ApiEntityNameParam()
  @ApiBody({ schema: PATCH_BATCH_BODY_SCHEMA, examples: PATCH_BATCH_EXAMPLES })
  @ApiJsonResponse(202, 'Accepted: the patches are on Kafka (the answer echoes them).', ENTITIES_RESPONSE_SCHEMA)
  @ApiJsonResponse(200, 'Applied (async=false): the answer holds the resulting values.', ENTITIES_RESPONSE_SCHEMA)
  @ApiErrorResponses([400, WRITE_BAD_REQUEST], 409, [412, 'async=false: If-Version-Match failed.'], 413, 429)
  patchBatch(
    @Param('entityName') entityName: string,
    @Body() body: unknown,
    @Query() query: BatchWriteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope[]> {
    const writes = this.reader.batch(entityName, body, true);
    res.status(query.async ? 202 : 200);
    return this.entities.write(writes, query.async, query.systemMetadata, actor);
  }

  @Patch(':entityName/:urn/:aspectName')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Patch one aspect of one entity',
    description: `${PATCH_DESCRIPTION} The body is the patch itself. async defaults to false (200 with the result).`,
  })
  @ApiEntityNameParam()
  @ApiUrnParam()
  @ApiAspectNameParam('globalTags')
  @ApiHeader({
    name: IF_VERSION_MATCH,
    required: false,
    description: 'Expected stored version of the aspect (-1: must not exist).',
    schema: IF_VERSION_MATCH_SCHEMA,
  })
  @ApiBody({ schema: PATCH_DOCUMENT_SCHEMA, examples: PATCH_SINGLE_EXAMPLES })
  @ApiJsonResponse(200, 'Applied: the resulting value.', ENTITY_RESPONSE_SCHEMA)
  @ApiJsonResponse(202, 'Accepted (async=true).', ENTITY_RESPONSE_SCHEMA)
  @ApiErrorResponses(
    [400, WRITE_BAD_REQUEST],
    [409, 'The patch does not apply to the stored value (sync).'],
    [412, 'If-Version-Match failed (sync).'],
    413,
    429,
  )
  async patchOne(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Body() body: unknown,
    @Headers(IF_VERSION_MATCH.toLowerCase()) ifVersionMatch: string | undefined,
    @Query() query: SingleWriteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope> {
    const write = this.reader.singlePatch(entityName, urn, aspectName, body, this.reader.conditionalHeaders(ifVersionMatch));
    res.status(query.async ? 202 : 200);
    const [entity] = await this.entities.write([write], query.async, query.systemMetadata, actor);
    return entity;
  }
}
