export { ErrorCode, PaddockError, isPaddockError, invalidInput, notFound } from './paddock-error.ts';
