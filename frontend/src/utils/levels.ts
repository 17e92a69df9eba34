// The grid's levels as a ladder: highest price first, and the level nearest the last price.

import type { GridLevel } from '@/types/api'
import { cmp, isDecimal, sign, sub } from './decimal'

function distance(a: string, b: string): string {
  const d = sub(a, b)
  return sign(d) < 0 ? sub('0', d) : d
}

/** The `index` of the level whose price is nearest `price` (the lower one on a tie); null without a price or level. */
export function nearestLevel(levels: readonly GridLevel[], price: string | null | undefined): number | null {
  if (!price || !isDecimal(price)) return null
  let best: { index: number; price: string; d: string } | null = null
  for (const lv of levels) {
    if (!isDecimal(lv.price)) continue
    const d = distance(lv.price, price)
    const c = best === null ? -1 : cmp(d, best.d)
    if (best === null || c < 0 || (c === 0 && cmp(lv.price, best.price) < 0)) best = { index: lv.index, price: lv.price, d }
  }
  return best?.index ?? null
}

/** Levels by price, highest first (as on the chart). */
export function ladder(levels: readonly GridLevel[]): GridLevel[] {
  return [...levels].sort((a, b) => {
    if (isDecimal(a.price) && isDecimal(b.price)) return cmp(b.price, a.price) || b.index - a.index
    return b.index - a.index
  })
}
