import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'auth:public';

/** A route that needs no token (health, server configuration). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
