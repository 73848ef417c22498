import { Controller, Delete, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, RequireScope } from '../auth/auth.decorators';
import { ApiErrorResponses, TRACEPARENT_HEADER } from '../http/openapi';
import { EntityEnvelope, EntityService } from './entity.service';
import { DELETE_RESPONSE_EXAMPLE } from './entity.openapi';
import { DeleteQuery } from './entity.query';
import { WriteRequestReader } from './write-request';

const DELETE_DESCRIPTION =
  'The delete goes through Kafka keyed by the URN, like every async write, so it is applied after every earlier write of the entity ' +
  'and none of them can bring the data back. The deleted value becomes a history version; the latest row is a tombstone with the ' +
  "delete's actor, time and systemMetadata (trace id included), so reads answer 404 and `/versions` shows who deleted. " +
  '`purge=true` removes every stored value as well; the tombstone stays. async defaults to true (202 + traceparent: trace it like any write); ' +
  'with async=false the answer waits until the consumer applied it (200; 202 if WRITE_WAIT_MAX_MS passed first).';

@ApiTags('entities (v3)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403, 503)
@Controller('openapi/v3/entity')
export class EntityDeleteController {
  constructor(
    private readonly entities: EntityService,
    private readonly reader: WriteRequestReader,
  ) {}

  @Delete(':entityName/:urn')
  @RequireScope('write')
  @ApiOperation({ summary: 'Delete an entity: every aspect, its key aspect last', description: DELETE_DESCRIPTION })
  @ApiParam({ name: 'entityName', example: 'dataset' })
  @ApiParam({ name: 'urn', example: 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)' })
  @ApiResponse({
    status: 202,
    description: 'Accepted: the delete is on Kafka; trace the key aspect.',
    headers: TRACEPARENT_HEADER,
    schema: { example: DELETE_RESPONSE_EXAMPLE },
  })
  @ApiResponse({ status: 200, description: 'Deleted (async=false).', headers: TRACEPARENT_HEADER })
  @ApiErrorResponses(400, [409, 'async=false: the delete failed (the reason).'], 429)
  deleteEntity(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Query() query: DeleteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope[]> {
    return this.delete(this.reader.deletion(entityName, urn, undefined, query.purge), query, res, actor);
  }

  @Delete(':entityName/:urn/:aspectName')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Delete one aspect (the key aspect: the whole entity; a timeseries aspect: its documents)',
    description: DELETE_DESCRIPTION,
  })
  @ApiParam({ name: 'entityName', example: 'dataset' })
  @ApiParam({ name: 'urn', example: 'urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_created,PROD)' })
  @ApiParam({ name: 'aspectName', example: 'globalTags' })
  @ApiResponse({ status: 202, description: 'Accepted: the delete is on Kafka.', headers: TRACEPARENT_HEADER })
  @ApiResponse({ status: 200, description: 'Deleted (async=false).', headers: TRACEPARENT_HEADER })
  @ApiErrorResponses(400, [409, 'async=false: the delete failed (the reason).'], 429)
  deleteAspect(
    @Param('entityName') entityName: string,
    @Param('urn') urn: string,
    @Param('aspectName') aspectName: string,
    @Query() query: DeleteQuery,
    @Res({ passthrough: true }) res: Response,
    @Actor() actor: string,
  ): Promise<EntityEnvelope[]> {
    return this.delete(this.reader.deletion(entityName, urn, aspectName, query.purge), query, res, actor);
  }

  private async delete(write: ReturnType<WriteRequestReader['deletion']>, query: DeleteQuery, res: Response, actor: string): Promise<EntityEnvelope[]> {
    const { settled, entities } = await this.entities.delete([write], query.async, query.systemMetadata, actor);
    res.status(settled ? 200 : 202);
    return entities;
  }
}
