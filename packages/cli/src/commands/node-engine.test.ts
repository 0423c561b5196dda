import { describe, expect, it } from 'vitest'
import { enginesNode, nodeEngineCheck, satisfies } from './node-engine.js'

describe('satisfies', () => {
  it.each([
    ['v20.20.2', '>=20.19', true],
    ['v20.19.0', '>=20.19', true],
    ['v20.18.3', '>=20.19', false],
    ['v18.20.0', '>=20.19', false],
    ['v22.1.0', '^20.19.0 || >=22.12', false],
    ['v22.12.0', '^20.19.0 || >=22.12', true],
    ['v20.19.5', '^20.19.0 || >=22.12', true],
    ['v21.0.0', '^20.19.0', false],
    ['v20.20.0', '~20.19', false],
    ['v20.19.9', '~20.19', true],
    ['v20.5.0', '20.x', true],
    ['v21.0.0', '20', false],
    ['v20.0.0', '>=18 <21', true],
    ['v21.0.0', '>=18 <21', false],
    ['v20.19.0', '>20.18', true],
    ['v20.18.9', '>20.18', false],
    ['v20.18.9', '<=20.18', true],
    ['v24.0.0', '*', true],
    ['v20.0.0', '18 - 22', null],
  ])('%s in "%s": %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected)
  })
})

describe('the doctor line', () => {
  it('reads engines.node from this package', () => {
    expect(enginesNode()).toMatch(/^>=\d+/)
  })

  it('names the range when the version is inside, and fails with it when outside', () => {
    expect(nodeEngineCheck('v20.20.2', '>=20.19')).toBe('v20.20.2 (engines.node ">=20.19")')
    expect(() => nodeEngineCheck('v18.19.0', '>=20.19')).toThrow(
      'v18.19.0 is outside engines.node ">=20.19": install a Node.js release in that range',
    )
    expect(nodeEngineCheck('v20.20.2', '18 - 22')).toContain('not checked')
  })
})
