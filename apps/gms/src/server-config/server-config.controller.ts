import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@lib/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SERVER_CONFIG_SCHEMA, serverConfig, ServerConfig } from './server-config';

/** `GET /config`: the server-configuration document of the reference API, as much of it as its clients need. */
@ApiTags('server configuration')
@Public()
@Controller('config')
export class ServerConfigController {
  private readonly config = serverConfig();

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Server configuration (the reference API's GET /config)",
    description:
      'Clients of the reference API call this route first. The DataHub Python SDK checks `noCode` and reads `versions` to decide whether to write ' +
      'through `POST /openapi/v3/entity/{entityName}` and whether `EmitMode.ASYNC_WAIT` can wait on ' +
      '`POST /openapi/v1/trace/write/{traceId}`. Every capability flag is true of this service. Flags for features we lack are false.',
  })
  @ApiOkResponse({
    description: 'The configuration. It does not change while the service runs.',
    schema: { ...SERVER_CONFIG_SCHEMA, example: serverConfig() },
  })
  get(): ServerConfig {
    return this.config;
  }
}
