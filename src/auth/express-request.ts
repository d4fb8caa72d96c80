import type { Principal } from './roles';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
