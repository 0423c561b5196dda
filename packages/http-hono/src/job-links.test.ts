import { describe, expect, it } from 'vitest'
import { jobLinks, mountPathOf } from './job-links.js'

describe('mountPathOf', () => {
  it.each([
    ['/api/projects/p1/master-videos', '/:projectId/master-videos', '/api/projects'],
    ['/api/projects/p1/master-videos/m1', '/:projectId/master-videos/:id', '/api/projects'],
    ['/api/projects/p1/master-videos/m1/retry', '/:projectId/master-videos/:id/retry', '/api/projects'],
    ['/p1/master-videos/m1/video', '/:projectId/master-videos/:id/video', ''],
    ['/t/a%2Fb/x/p1/master-videos', '/:projectId/master-videos', '/t/a%2Fb/x'],
    ['/master-videos/master-videos/master-videos', '/:projectId/master-videos/:id', ''],
  ])('%s under %s is mounted at %j', (requestPath, pattern, mount) => {
    expect(mountPathOf(requestPath, pattern)).toBe(mount)
  })
})

describe('jobLinks', () => {
  it('builds every link of a request from one mount path, escaping ids', () => {
    const links = jobLinks(
      '/:projectId/master-videos/:id/cancel',
      null,
    )('http://host/api/projects/p%201/master-videos/m1/cancel?x=1')
    expect(links.mountPath).toBe('/api/projects')
    expect(links.jobPath({ projectId: 'p 1', id: 'a/b' } as never)).toBe(
      '/api/projects/p%201/master-videos/a%2Fb',
    )
  })
})
