import { BadRequestException, Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { TimeRange, tryParseUrn } from '@lib/metadata';
import { Actor, RequireScope } from '../auth/auth.decorators';
import { ApiErrorResponses, ApiJsonResponse, URN_SCHEMA } from '../http/openapi';
import { DELETE_URN_EXAMPLE } from '../entity/entity.openapi';
import { WriteRequestReader } from '../entity/write-request';
import { HardDeleteCounts, HardDeleteService } from './hard-delete.service';

const SAFE_INTEGER = { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

const HARD_DELETE_BODY_SCHEMA = {
  type: 'object',
  required: ['urn'],
  additionalProperties: false,
  properties: {
    urn: URN_SCHEMA,
    aspectName: { type: 'string', description: 'A timeseries aspect of the entity: delete its documents (in the range) only.' },
    startTimeMillis: { ...SAFE_INTEGER, description: 'With aspectName: from this time (epoch ms).' },
    endTimeMillis: { ...SAFE_INTEGER, description: 'With aspectName: up to this time (epoch ms).' },
  },
  example: { urn: DELETE_URN_EXAMPLE },
};

const HARD_DELETE_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['value'],
  properties: {
    value: {
      type: 'object',
      required: ['rows', 'timeseriesRows'],
      properties: { rows: { type: 'integer', minimum: 0 }, timeseriesRows: { type: 'integer', minimum: 0 } },
    },
  },
  example: { value: { rows: 5, timeseriesRows: 0 } },
};

/** DataHub's Rest.li `POST /entities?action=delete`, as the Python SDK's hard deletes call it; no other action. */
@ApiTags('rest.li (SDK compatibility)')
@ApiBearerAuth()
@ApiErrorResponses(401, 403, 503)
@Controller('entities')
export class EntitiesActionController {
  constructor(
    private readonly hardDeletes: HardDeleteService,
    private readonly reader: WriteRequestReader,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScope('write')
  @ApiOperation({
    summary: 'Hard delete (action=delete): an entity, or one timeseries aspect of it in a time range',
    description:
      '`{urn}` purges the entity (every stored value, history included, and its timeseries documents); `{urn, aspectName, startTimeMillis?, endTimeMillis?}` ' +
      "deletes that timeseries aspect's documents in the range. Both go through the write queue like any delete, leave a tombstone (who, when, trace id), " +
      'and answer once applied, with the counts stored just before.',
  })
  @ApiQuery({ name: 'action', required: true, enum: ['delete'] })
  @ApiBody({ schema: HARD_DELETE_BODY_SCHEMA })
  @ApiJsonResponse(200, 'Deleted: the counts stored just before, `{value: {rows, timeseriesRows}}`.', HARD_DELETE_RESPONSE_SCHEMA)
  @ApiErrorResponses(400, [409, 'The delete failed (the reason).'])
  async action(@Query('action') action: unknown, @Body() body: unknown, @Actor() actor: string): Promise<{ value: HardDeleteCounts }> {
    if (action !== 'delete') throw new BadRequestException(`unsupported action ${JSON.stringify(action ?? null)}: only action=delete is served here`);
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new BadRequestException('body must be an object {urn, aspectName?, startTimeMillis?, endTimeMillis?}');
    const { urn, aspectName, startTimeMillis, endTimeMillis, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length)
      throw new BadRequestException(`unexpected field ${Object.keys(rest)[0]} (expected urn, aspectName, startTimeMillis, endTimeMillis)`);
    const parsed = typeof urn === 'string' ? tryParseUrn(urn) : undefined;
    if (!parsed?.ok) throw new BadRequestException(`urn: ${parsed ? parsed.error.message : 'must be a non-empty string'}`);
    const entityType = this.reader.entityType(parsed.value.entityType);
    if (aspectName === undefined) {
      if (startTimeMillis !== undefined || endTimeMillis !== undefined) throw new BadRequestException('startTimeMillis and endTimeMillis need an aspectName');
      return { value: await this.hardDeletes.entity(entityType, urn as string, actor) };
    }
    const aspect = this.reader.aspectName(entityType, String(aspectName), 'aspectName');
    if (!this.reader.isTimeseries(entityType, aspect))
      throw new BadRequestException(`aspectName: ${aspect} is not a timeseries aspect; delete it with DELETE /openapi/v3/entity`);
    return { value: await this.hardDeletes.timeseriesEvents(entityType, urn as string, aspect, timeRange(startTimeMillis, endTimeMillis), actor) };
  }
}

function timeRange(start: unknown, end: unknown): TimeRange {
  for (const [name, v] of [
    ['startTimeMillis', start],
    ['endTimeMillis', end],
  ] as const) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new BadRequestException(`${name} must be a whole number of epoch milliseconds`);
  }
  return { ...(start !== undefined ? { startTimeMillis: start as number } : {}), ...(end !== undefined ? { endTimeMillis: end as number } : {}) };
}
