import { CustomDecorator, SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'auth:public';

/** A route that needs no token (health, server configuration). */
export const Public = (): CustomDecorator<string> => SetMetadata(PUBLIC_ROUTE, true);
