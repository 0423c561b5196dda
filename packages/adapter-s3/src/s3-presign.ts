import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { invalid } from './errors.js'

/** Options of {@link S3OutputStore.presign}. */
export interface PresignOptions {
  /** How long the URL stays valid, in seconds: 1 to 604800 (7 days, S3's limit for SigV4). */
  expiresInSec: number
  /**
   * The `Content-Type` the response carries (`response-content-type`).
   * Default: the type the object was stored with.
   */
  contentType?: string
  /**
   * The exact `Content-Disposition` the response carries
   * (`response-content-disposition`), for example the value the HTTP routes
   * build for `/download`, so a redirect and a proxied download name the file
   * the same way. Takes precedence over `downloadName`.
   */
  contentDisposition?: string
  /**
   * Makes the URL a download of this file name: an RFC 6266 `attachment` with
   * an ASCII `filename` and the exact UTF-8 name in `filename*`. Ignored when
   * `contentDisposition` is given.
   */
  downloadName?: string
}

/** S3's limit on a SigV4 presigned URL's lifetime. */
const MAX_EXPIRES_SEC = 7 * 24 * 3600

// RFC 8187 attr-char: what may stand unencoded in an ext-value.
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/

/**
 * An RFC 6266 `attachment` value for `name`: control characters become a
 * space, `/` and `\` become `_`; the ASCII `filename` replaces what is not
 * printable ASCII (and `"`, `\`, `%`) with `_`; `filename*` carries the exact
 * UTF-8 name.
 *
 * @example
 * ```ts
 * import { attachmentDisposition } from '@mastervideo/adapter-s3'
 *
 * attachmentDisposition('café "final".mp4')
 * // attachment; filename="cafe _final_.mp4"; filename*=UTF-8''caf%C3%A9%20%22final%22.mp4
 * ```
 */
export function attachmentDisposition(name: string): string {
  const safe =
    name
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/[/\\]/g, '_')
      .replace(/ {2,}/g, ' ')
      .trim() || 'download'
  const ascii = safe
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]+|["\\%]/g, '_')
  let encoded = ''
  for (const byte of Buffer.from(safe, 'utf8')) {
    const char = String.fromCharCode(byte)
    encoded +=
      byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/** A presigned GET of `bucket`/`key` with the response headers `options` ask for. */
export async function presignGet(
  client: S3Client,
  bucket: string,
  key: string,
  options: PresignOptions,
): Promise<string> {
  const { expiresInSec } = options
  if (!Number.isInteger(expiresInSec) || expiresInSec < 1 || expiresInSec > MAX_EXPIRES_SEC) {
    throw invalid(`expiresInSec must be a whole number of seconds from 1 to ${MAX_EXPIRES_SEC}`, {
      details: { field: 'expiresInSec' },
    })
  }
  const disposition =
    options.contentDisposition ??
    (options.downloadName === undefined ? undefined : attachmentDisposition(options.downloadName))
  if (disposition !== undefined && /[\r\n\u0000]/.test(disposition)) {
    throw invalid('contentDisposition must not contain CR, LF or NUL', {
      details: { field: 'contentDisposition' },
    })
  }
  const command = new GetObjectCommand({
    Bucket: bucket,
    Key: key,
    ...(options.contentType ? { ResponseContentType: options.contentType } : {}),
    ...(disposition ? { ResponseContentDisposition: disposition } : {}),
  })
  return getSignedUrl(client, command, { expiresIn: expiresInSec })
}
