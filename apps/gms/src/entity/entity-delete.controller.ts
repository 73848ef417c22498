import { Controller, Delete, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, RequireScope } from '../auth/auth.decorators';
import { ApiAspectNameParam, ApiEntityNameParam, ApiErrorResponses, ApiJsonResponse, ApiUrnParam } from '../http/openapi';
import { EntityEnvelope, EntityService } from './entity.service';
import { DELETE_RESPONSE_EXAMPLE, DELETE_URN_EXAMPLE, ENTITIES_RESPONSE_SCHEMA } from './entity.openapi';
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
  @ApiEntityNameParam()
  @ApiUrnParam(DELETE_URN_EXAMPLE)
  @ApiJsonResponse(202, 'Accepted: the delete is on Kafka; trace the key aspect.', ENTITIES_RESPONSE_SCHEMA, { accepted: { value: DELETE_RESPONSE_EXAMPLE } })
  @ApiJsonResponse(200, 'Deleted (async=false).', ENTITIES_RESPONSE_SCHEMA)
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
  @ApiEntityNameParam()
  @ApiUrnParam(DELETE_URN_EXAMPLE)
  @ApiAspectNameParam('globalTags')
  @ApiJsonResponse(202, 'Accepted: the delete is on Kafka.', ENTITIES_RESPONSE_SCHEMA)
  @ApiJsonResponse(200, 'Deleted (async=false).', ENTITIES_RESPONSE_SCHEMA)
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
