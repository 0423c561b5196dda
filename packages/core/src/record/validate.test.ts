import { describe, expect, it } from 'vitest'
import { isMasterVideoError } from '../errors.js'
import { LIMITS, validateEncoding, validateHls, validateLadder, validateRenditions } from './validate.js'

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (isMasterVideoError(error) && error.code === 'VALIDATION') return error.message
    throw error
  }
  throw new Error('expected a VALIDATION error')
}

describe('validateRenditions', () => {
  it('keeps valid renditions and drops an empty list', () => {
    expect(
      validateRenditions([
        { name: '720p', height: 720 },
        { name: 'low_1-b', height: 240, crf: 30 },
      ]),
    ).toEqual([
      { name: '720p', height: 720 },
      { name: 'low_1-b', height: 240, crf: 30 },
    ])
    expect(validateRenditions([])).toEqual([])
    expect(validateRenditions(undefined)).toBeUndefined()
  })

  it.each([
    ['not an array', { name: 'x', height: 240 }, 'must be an array'],
    ['a name with a slash', [{ name: 'a/b', height: 240 }], 'a-z, 0-9'],
    ['an upper-case name', [{ name: 'HD', height: 240 }], 'a-z, 0-9'],
    ['an empty name', [{ name: '', height: 240 }], 'a-z, 0-9'],
    ['a name of 33 characters', [{ name: 'a'.repeat(33), height: 240 }], '1 to 32'],
    [
      'a name used twice',
      [
        { name: 'a', height: 240 },
        { name: 'a', height: 120 },
      ],
      'used twice',
    ],
    ['an odd height', [{ name: 'a', height: 241 }], 'even'],
    ['a tiny height', [{ name: 'a', height: 16 }], 'between 32 and 4320'],
    ['a huge height', [{ name: 'a', height: 8640 }], 'between 32 and 4320'],
    ['a fractional height', [{ name: 'a', height: 240.5 }], 'integer'],
    ['a crf of 52', [{ name: 'a', height: 240, crf: 52 }], '0 and 51'],
    ['an unknown option', [{ name: 'a', height: 240, width: 320 }], 'not a known option'],
    [
      'too many',
      Array.from({ length: LIMITS.maxRenditions + 1 }, (_, i) => ({ name: `r${i}`, height: 240 })),
      'at most 8',
    ],
  ])('refuses %s', (_, value, message) => {
    expect(refusal(() => validateRenditions(value))).toContain(message)
  })
})

describe('validateHls', () => {
  it('takes true, false and { segmentSec }', () => {
    expect(validateHls(true)).toBe(true)
    expect(validateHls(false)).toBe(false)
    expect(validateHls(undefined)).toBeUndefined()
    expect(validateHls({})).toEqual({})
    expect(validateHls({ segmentSec: 2 })).toEqual({ segmentSec: 2 })
  })

  it.each([[{ segmentSec: 0 }], [{ segmentSec: 31 }], [{ segmentSec: 'x' }], [{ other: 1 }], ['yes'], [[1]]])(
    'refuses %j',
    (value) => {
      refusal(() => validateHls(value))
    },
  )
})

describe('renditions and hls in the encoding options', () => {
  it('are encoding options; hls needs a rendition once the options are merged', () => {
    const encoding = validateEncoding({ renditions: [{ name: '480p', height: 480 }], hls: true })
    expect(encoding).toEqual({ renditions: [{ name: '480p', height: 480 }], hls: true })
    expect(validateLadder(encoding)).toBe(encoding)
    // On its own, hls passes validateEncoding (the renditions may come from the defaults)...
    const alone = validateEncoding({ hls: { segmentSec: 2 } })
    // ...and validateLadder refuses it when the merged options have none.
    expect(refusal(() => validateLadder(alone))).toContain('at least one rendition')
  })
})
