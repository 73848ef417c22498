import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { errorMessage, Public } from '@lib/common';
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
  check() {
    return this.health.check(
      this.checks.map((c) => async () => {
        const indicator = this.indicators.check(c.name);
        try {
          const outcome = await c.check();
          return outcome.up ? indicator.up(outcome.details) : indicator.down(outcome.details);
        } catch (err) {
          return indicator.down({ message: errorMessage(err) });
        }
      }),
    );
  }
}
