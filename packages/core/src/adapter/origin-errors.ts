import {
  AssetNotFoundError,
  CanceledError,
  IllegalTransitionError,
  InputInvalidError,
  LeaseLostError,
  type MasterVideoErrorOptions,
  NoSpaceError,
  NotFoundError,
  StorageError,
  TimeoutError,
  TranscodeFailedError,
  ValidationError,
} from '../errors.js'

/** Makes one error with the package's origin stamped on it. */
export type ErrorFactory<E> = (message: string, options?: MasterVideoErrorOptions) => E

/** One factory per error code, each stamping the same `origin`. See {@link originErrors}. */
export interface OriginErrors {
  notFound: ErrorFactory<NotFoundError>
  illegalTransition: ErrorFactory<IllegalTransitionError>
  validation: ErrorFactory<ValidationError>
  assetNotFound: ErrorFactory<AssetNotFoundError>
  inputInvalid: ErrorFactory<InputInvalidError>
  transcodeFailed: ErrorFactory<TranscodeFailedError>
  timeout: ErrorFactory<TimeoutError>
  canceled: ErrorFactory<CanceledError>
  noSpace: ErrorFactory<NoSpaceError>
  leaseLost: ErrorFactory<LeaseLostError>
  storage: ErrorFactory<StorageError>
}

/**
 * The error helpers of one package, all of one shape:
 * `(message, options?) => MasterVideoError` with `origin` set. The message is
 * what a client may read, so it carries no package prefix, path or stderr;
 * logs show the `origin`, and `details` or `cause` keep the rest.
 *
 * @example
 * ```ts
 * import { originErrors } from '@mastervideo/core/adapter'
 *
 * export const ORIGIN = '@acme/mastervideo-adapter-dynamo'
 * const errors = originErrors(ORIGIN)
 * export const storageFailure = errors.storage
 *
 * throw storageFailure('The table is missing', { details: { table: 'jobs' } })
 * ```
 */
export function originErrors(origin: string): OriginErrors {
  const made =
    <E>(ErrorClass: new (message: string, options?: MasterVideoErrorOptions) => E): ErrorFactory<E> =>
    (message, options) =>
      new ErrorClass(message, { ...options, origin })
  return {
    notFound: made(NotFoundError),
    illegalTransition: made(IllegalTransitionError),
    validation: made(ValidationError),
    assetNotFound: made(AssetNotFoundError),
    inputInvalid: made(InputInvalidError),
    transcodeFailed: made(TranscodeFailedError),
    timeout: made(TimeoutError),
    canceled: made(CanceledError),
    noSpace: made(NoSpaceError),
    leaseLost: made(LeaseLostError),
    storage: made(StorageError),
  }
}
