import { describe, expect, it } from 'vitest'
import type { GridLevel } from '@/types/api'
import { ladder, nearestLevel } from './levels'

const levels: GridLevel[] = [
  { index: 0, price: '95000', state: 'buy' },
  { index: 1, price: '97500', state: 'buy' },
  { index: 2, price: '100000', state: 'empty' },
  { index: 3, price: '102500', state: 'sell' },
]

describe('levels', () => {
  it('finds the level nearest the price, exactly, the lower on a tie', () => {
    expect(nearestLevel(levels, '100123.45')).toBe(2)
    expect(nearestLevel(levels, '98749.99')).toBe(1)
    expect(nearestLevel(levels, '98750')).toBe(1)
    expect(nearestLevel(levels, '98750.01')).toBe(2)
    expect(nearestLevel(levels, '1')).toBe(0)
    expect(nearestLevel(levels, '200000')).toBe(3)
    expect(nearestLevel(levels, null)).toBeNull()
    expect(nearestLevel([], '100')).toBeNull()
  })

  it('orders a ladder highest first', () => {
    expect(ladder([levels[1]!, levels[3]!, levels[0]!, levels[2]!]).map((l) => l.index)).toEqual([3, 2, 1, 0])
  })
})
