import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { errorMessage, isShuttingDown, Public } from '@lib/common';
import { DependencyCheck } from './dependency-check';

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

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
  @ApiResponse({ status: 200, description: 'Every dependency is up.' })
  @ApiResponse({ status: 503, description: 'At least one dependency is down; see `error`.' })
  check(): Promise<HealthCheckResult> {
    return this.dependencies();
  }

  /** Liveness: the process is up and its event loop answers. Never looks at a dependency (a Kafka outage must not restart us). */
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs.' })
  @ApiResponse({ status: 200, description: 'The process is up.' })
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
  @ApiResponse({ status: 200, description: 'Every dependency is up.' })
  @ApiResponse({ status: 503, description: 'At least one dependency is down; see `error`.' })
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
