// Names: any script is welcome, unsafe names are refused visibly, and counts match the picker.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClipSummary, type ProjectSummary, projectsApi } from '../src/server/projects-api.js'
import { isSafeName, unsafeNameReason } from '../src/server/safe-name.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mv-projects-'))
  const project = path.join(root, 'assets', 'Проект')
  await mkdir(project, { recursive: true })
  await writeFile(path.join(project, 'project.json'), JSON.stringify({ name: 'Проект «Весна»' }))
  await writeTestClip(path.join(project, 'Клип 01.mp4'))
  await writeTestClip(path.join(project, 'plain.mp4'))
  await writeTestClip(path.join(project, 'été ✓.mov'))
  await writeTestClip(path.join(project, 'bad:name.mp4'))
  await writeFile(path.join(project, 'broken.mp4'), 'not a video')
  await writeTestClip(path.join(project, '.tmp-upload.mp4'))
  await writeFile(path.join(project, 'notes.txt'), 'ignored')
  await mkdir(path.join(root, 'assets', 'a|b'))
}, 30_000)
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const api = () =>
  projectsApi({
    assetsRoot: path.join(root, 'assets'),
    cacheDir: path.join(root, 'cache'),
    transcoder: testTranscoder(),
  })

describe('names of projects and clips', () => {
  it.each([
    ['Клип 01.mp4', null],
    ['Мастер "003"', 'contains " (not allowed in file names: / \\ < > : " | ? *)'],
    ['été ✓ 日本.mp4', null],
    ['a/b.mp4', 'contains / (not allowed in file names: / \\ < > : " | ? *)'],
    ['..', 'starts with a dot (hidden or temporary file)'],
    ['-rf.mp4', 'starts with a dash'],
    ['name.', 'ends with a dot or a space'],
    ['CON.mp4', 'is a reserved device name on Windows'],
    ['tab\there', 'contains a control character (not allowed in file names: / \\ < > : " | ? *)'],
    ['я'.repeat(101), 'is longer than 200 bytes'],
  ])('%j: %s', (name, reason) => {
    expect(unsafeNameReason(name)).toBe(reason)
    expect(isSafeName(name)).toBe(reason === null)
  })

  it('lists a Cyrillic project, counts exactly the clips its picker shows, and says why others are left out', async () => {
    const projects = (await (await api().request('/')).json()) as ProjectSummary[]
    expect(projects).toEqual([
      {
        id: 'a|b',
        name: 'a|b',
        clipCount: 0,
        refused: [],
        unusable:
          'The folder name contains | (not allowed in file names: / \\ < > : " | ? *); rename the folder to use it',
      },
      {
        id: 'Проект',
        name: 'Проект «Весна»',
        clipCount: 3,
        refused: [
          {
            name: 'bad:name.mp4',
            code: 'unsafe-name',
            reason:
              'The file name contains : (not allowed in file names: / \\ < > : " | ? *); rename the file to use it',
          },
          { name: 'broken.mp4', code: 'unreadable', reason: 'ffprobe cannot read it as a video' },
        ],
      },
    ])
    const clips = (await (
      await api().request(`/${encodeURIComponent('Проект')}/assets`)
    ).json()) as ClipSummary[]
    expect(clips.map((clip) => clip.id).sort()).toEqual(['plain.mp4', 'Клип 01.mp4', 'été ✓.mov'].sort())
    expect(clips).toHaveLength(projects[1]?.clipCount ?? -1)
    const thumbnail = await api().request(clips.find((c) => c.id === 'Клип 01.mp4')?.thumbnailUrl ?? '')
    expect(thumbnail.status).toBe(200)
  })

  it('never serves an unsafe project or clip name', async () => {
    expect((await api().request(`/${encodeURIComponent('a|b')}/assets`)).status).toBe(404)
    const thumb = await api().request(
      `/${encodeURIComponent('Проект')}/assets/${encodeURIComponent('bad:name.mp4')}/thumbnail`,
    )
    expect(thumb.status).toBe(404)
  })
})
