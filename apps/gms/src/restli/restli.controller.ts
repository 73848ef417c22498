import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/auth.decorators';
import { ApiErrorResponses, ApiJsonResponse, ApiUrnParam } from '../http/openapi';
import { ASPECT_EXAMPLE, ASPECT_RESPONSE_SCHEMA, ENTITY_EXAMPLE, ENTITY_RESPONSE_SCHEMA } from './restli.openapi';
import { AspectQuery, EntityV2Query } from './restli.query';
import { EntityResponse, RestliService, VersionedAspectResponse } from './restli.service';

/** The rest.li reads DataHub's Python SDK makes (DataHubGraph.get_aspect, exists, get_entity_raw/_semityped). */
@ApiTags('rest.li (SDK compatibility)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403, 503)
@RequireScope('read')
@Controller()
export class RestliController {
  constructor(private readonly restli: RestliService) {}

  @Get('aspects/:urn')
  @ApiOperation({ summary: 'One version of one aspect, under its record name (DataHubGraph.get_aspect, exists)' })
  @ApiUrnParam()
  @ApiJsonResponse(200, 'The aspect.', ASPECT_RESPONSE_SCHEMA, { datasetProperties: { value: ASPECT_EXAMPLE } })
  @ApiErrorResponses([400, 'A malformed URN, an unknown or timeseries aspect, a bad version.'], [404, 'Not stored, or deleted.'])
  getAspect(@Param('urn') urn: string, @Query() query: AspectQuery): Promise<VersionedAspectResponse> {
    return this.restli.aspect(urn, query.aspect, query.version);
  }

  @Get('entitiesV2/:urn')
  @ApiOperation({
    summary: 'The live versioned aspects of an entity (DataHubGraph.get_entity_raw, get_entity_semityped)',
    description: 'Never 404: the key aspect, derived from the URN when it is not stored, is always there, also for an entity never written or deleted.',
  })
  @ApiUrnParam()
  @ApiJsonResponse(200, 'The entity.', ENTITY_RESPONSE_SCHEMA, { dataset: { value: ENTITY_EXAMPLE } })
  @ApiErrorResponses([400, 'A malformed URN or aspects list, an unknown aspect.'])
  getEntity(@Param('urn') urn: string, @Query() query: EntityV2Query): Promise<EntityResponse> {
    return this.restli.entity(urn, query.aspects);
  }
}
