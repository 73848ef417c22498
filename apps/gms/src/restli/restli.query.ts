import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { QueryInt } from '../http/query';

/** GET /aspects/{urn}: which aspect, which version. */
export class AspectQuery {
  @ApiProperty({ description: 'The aspect name.', example: 'datasetProperties' })
  @IsString({ message: 'query parameter aspect is required: one aspect name' })
  readonly aspect!: string;

  @QueryInt(0, 0, 2147483647, '0: the latest; n > 0: the n-th stored version, 1 the oldest') readonly version: number = 0;
}

/** GET /entitiesV2/{urn}: optionally which aspects. */
export class EntityV2Query {
  @ApiPropertyOptional({
    description: 'Only these aspects, rest.li style `List(a,b)` (the key aspect always comes).',
    example: 'List(datasetProperties,status)',
  })
  @IsOptional()
  @IsString({ message: 'query parameter aspects must be given once, as List(<aspect>,...)' })
  readonly aspects?: string;
}
