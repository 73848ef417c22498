import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
export { Public, PUBLIC_ROUTE } from '@lib/common';
import type { Request } from 'express';
import { DEFAULT_ACTOR } from '@lib/ingest';
import { Principal, Scope } from './token-verifier';

export const REQUIRED_SCOPE = 'auth:scope';

/** The scope a route needs: `write` for writes, `read` for reads and traces. */
export const RequireScope = (scope: Scope): CustomDecorator<string> => SetMetadata(REQUIRED_SCOPE, scope);

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The caller's actor URN (recorded as `createdby`); the anonymous actor when authentication is off. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal?.actor ?? DEFAULT_ACTOR;
});
