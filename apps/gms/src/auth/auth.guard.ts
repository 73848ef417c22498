import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Settings } from '@lib/config';
import { AuthenticatedRequest, PUBLIC_ROUTE, REQUIRED_SCOPE } from './auth.decorators';
import { InvalidToken, Scope, TokenVerifier } from './token-verifier';

/**
 * Every route needs `Authorization: Bearer <token>` unless marked @Public(): 401 without a valid
 * token, 403 without the route's scope. A route with no declared scope needs `read`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly settings: Settings,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (!this.settings.auth.enabled || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('an Authorization: Bearer <token> header is required');
    try {
      req.principal = await this.verifier.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidToken) throw new UnauthorizedException(err.message);
      throw err;
    }
    const scope = this.reflector.getAllAndOverride<Scope>(REQUIRED_SCOPE, targets) ?? 'read';
    if (!req.principal.scopes.has(scope)) throw new ForbiddenException(`the token lacks the "${scope}" scope`);
    return true;
  }
}
