import type { Context, MiddlewareHandler } from 'hono'
import { errorResponse } from './errors.js'
import { grantProof } from './hls-grant.js'
import type { SignedKind, UrlSigner } from './signed-url.js'

/** What a request wants to do; `authorize` receives it. */
export type RouteAction =
  | 'create'
  | 'list'
  | 'get'
  | 'delete'
  | 'retry'
  | 'cancel'
  | 'video'
  | 'download'
  | 'thumbnail'
  | 'events'
  | 'rendition-video'
  | 'rendition-download'
  | 'hls'
  /** The project's webhook deliveries: list them, retry a dead one. */
  | 'webhooks'

/** The second argument of {@link AuthorizeFunction}. */
export interface AuthorizeTarget {
  action: RouteAction
  projectId: string
  /** The job id; absent for `create` and `list`. */
  id?: string
  /** The rendition's name, for `rendition-video` and `rendition-download`. */
  rendition?: string
}

/**
 * Decides whether a request may proceed. Return `true` to allow; `false` (or
 * anything but `true`) answers 403 `{ error, code: 'FORBIDDEN' }`; a `Response`
 * is sent as is (a 401 with your own `WWW-Authenticate`, a redirect to login).
 *
 * @example
 * ```ts
 * const authorize: AuthorizeFunction = (c, { projectId }) =>
 *   c.req.header('x-project') === projectId
 * ```
 */
export type AuthorizeFunction = (
  c: Context,
  target: AuthorizeTarget,
) => boolean | Response | Promise<boolean | Response>

/** The routes whose URLs can be signed: the files a `<video src>` or a link opens. */
export const FILE_KINDS = ['video', 'download', 'thumbnail'] as const satisfies readonly SignedKind[]

const SIGNED_ACTIONS: readonly RouteAction[] = [...FILE_KINDS, 'rendition-video', 'rendition-download', 'hls']

const isFileKind = (action: RouteAction): action is SignedKind => SIGNED_ACTIONS.includes(action)

/**
 * The middleware that runs first on every route: a valid signed URL opens a
 * file route on its own; otherwise `authorize` decides (every route is open
 * without it). It runs before anything reads the job, so a denied caller
 * learns nothing, not even whether the id exists.
 *
 * @example
 * ```ts
 * const guard = routeGuard({ authorize, signer: null })
 * app.get('/:projectId/master-videos', guard('list'), (c) => c.json([]))
 * ```
 */
export function routeGuard(options: {
  authorize?: AuthorizeFunction | undefined
  signer: UrlSigner | null
}): (action: RouteAction) => MiddlewareHandler {
  const { authorize, signer } = options
  return (action) => async (c, next) => {
    const projectId = c.req.param('projectId') as string
    const id = c.req.param('id')
    const rendition = c.req.param('name')
    // The HLS ladder is signed in a path segment its playlists' relative URIs inherit.
    const grant = action === 'hls' ? c.req.param('grant') : undefined
    if (grant !== undefined && !signer) return errorResponse('FORBIDDEN', 'Signed URL is expired or invalid')
    if (signer && id && isFileKind(action)) {
      const verdict = signer.verify(
        { kind: action, projectId, id, ...(rendition === undefined ? {} : { rendition }) },
        action === 'hls'
          ? grantProof(grant)
          : { expires: c.req.query('expires'), signature: c.req.query('signature') },
      )
      if (verdict === 'valid') return next()
      if (verdict === 'invalid') return errorResponse('FORBIDDEN', 'Signed URL is expired or invalid')
    }
    if (authorize) {
      const target: AuthorizeTarget = id === undefined ? { action, projectId } : { action, projectId, id }
      if (rendition !== undefined) target.rendition = rendition
      const verdict = await authorize(c, target)
      if (verdict instanceof Response) return verdict
      if (verdict !== true) return errorResponse('FORBIDDEN', 'Forbidden')
    }
    return next()
  }
}
