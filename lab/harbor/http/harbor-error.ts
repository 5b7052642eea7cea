/** An error that the emulated Harbor API answers with, in Harbor's `{"errors":[…]}` body. */
export class HarborError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
    this.name = 'HarborError';
  }
}

/** 404 NOT_FOUND with Harbor's wording. */
export function notFound(message: string): HarborError {
  return new HarborError(404, 'NOT_FOUND', message);
}

/** 400 BAD_REQUEST. */
export function badRequest(message: string): HarborError {
  return new HarborError(400, 'BAD_REQUEST', message);
}

/** 409 CONFLICT. */
export function conflict(message: string): HarborError {
  return new HarborError(409, 'CONFLICT', message);
}

/** 422 as go-swagger's parameter validation answers it. */
export function unprocessable(message: string): HarborError {
  return new HarborError(422, 'UNPROCESSABLE_ENTITY', message);
}

/** 401 for anonymous callers, 403 for authenticated ones: Harbor's SendPermissionError. */
export function permissionError(authenticated: boolean): HarborError {
  return authenticated
    ? new HarborError(403, 'FORBIDDEN', 'forbidden')
    : new HarborError(401, 'UNAUTHORIZED', 'unauthorized');
}
