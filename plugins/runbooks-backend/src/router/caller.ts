import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import { Caller } from '../service/types';

/** The caller of a request, user or service, as the service checks it. */
export function callerOf(httpAuth: HttpAuthService) {
  return async (req: express.Request): Promise<Caller> => ({
    credentials: await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    }),
    request: req,
  });
}
