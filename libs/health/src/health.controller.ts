import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { errorMessage, isShuttingDown, Public } from '@lib/common';
import { DependencyCheck } from './dependency-check';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

const INDICATORS = { type: 'object', additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } };

/** @nestjs/terminus's HealthCheckResult: the body of a 200 and of a 503 alike. */
const HEALTH_RESULT_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { ...INDICATORS, nullable: true, description: 'The dependencies that are up.' },
    error: { ...INDICATORS, nullable: true, description: 'The dependencies that are down, each with what is wrong.' },
    details: { ...INDICATORS, description: 'Every dependency.' },
  },
};

const healthResponse = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: HEALTH_RESULT_SCHEMA } } });

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DEPENDENCY_CHECKS) private readonly checks: DependencyCheck[],
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'State of every dependency; 503 names the ones that are down.' })
  @healthResponse(200, 'Every dependency is up.')
  @healthResponse(503, 'At least one dependency is down; see `error`.')
  check(): Promise<HealthCheckResult> {
    return this.dependencies();
  }

  /** Liveness: the process is up and its event loop answers. Never looks at a dependency (a Kafka outage must not restart us). */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs.' })
  @ApiResponse({
    status: 200,
    description: 'The process is up.',
    content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } } },
  })
  live(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the same dependency checks as GET /health; 503 takes the instance out of rotation. From
   * SIGTERM on it is 503 whatever the dependencies say (the server still accepts for SHUTDOWN_ACCEPT_MS).
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 200 when every dependency is up, 503 naming the ones that are down.' })
  @healthResponse(200, 'Every dependency is up.')
  @healthResponse(503, 'At least one dependency is down; see `error`.')
  ready(): Promise<HealthCheckResult> {
    return this.dependencies(isShuttingDown());
  }

  private dependencies(shuttingDown = false): Promise<HealthCheckResult> {
    const shutdown = () => this.indicators.check('shutdown').down({ message: 'shutting down (SIGTERM received)' });
    return this.health.check([
      ...(shuttingDown ? [shutdown] : []),
      ...this.checks.map((c) => async () => {
        const indicator = this.indicators.check(c.name);
        try {
          const outcome = await c.check();
          return outcome.up ? indicator.up(outcome.details) : indicator.down(outcome.details);
        } catch (err) {
          return indicator.down({ message: errorMessage(err) });
        }
      }),
    ]);
  }
}
