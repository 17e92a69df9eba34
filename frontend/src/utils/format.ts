// Display formatting of decimal strings. Rounding and grouping are done on the
// strings themselves (see decimal.ts), so "0.1" + "0.2" never shows 0.30000000000000004.

import { parseDecimal, roundDec, shift, type Dec } from './decimal'

export const EMPTY = '—'

export interface DecimalFormat {
  /** fractional digits always shown (padded with zeros) */
  minFrac?: number
  /** fractional digits at most (rounded half away from zero) */
  maxFrac?: number
  /** '+' before positive values */
  signed?: boolean
  /** thousands separators */
  group?: boolean
}

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

function render(d: Dec, opts: Required<DecimalFormat>): string {
  const r = roundDec(d, opts.maxFrac)
  const neg = r.units < 0n
  let digits = (neg ? -r.units : r.units).toString().padStart(r.scale + 1, '0')
  let int = digits.slice(0, digits.length - r.scale)
  let frac = digits.slice(digits.length - r.scale)
  // drop trailing zeros down to minFrac
  let keep = frac.length
  while (keep > opts.minFrac && frac[keep - 1] === '0') keep--
  frac = frac.slice(0, keep)
  if (opts.group) int = groupThousands(int)
  digits = frac ? `${int}.${frac}` : int
  const isZero = r.units === 0n
  if (neg && !isZero) return `-${digits}`
  if (opts.signed && !isZero) return `+${digits}`
  return digits
}

/** Formats a decimal string; `null`, `undefined` and invalid input show as "—". */
export function formatDecimal(value: string | null | undefined, opts: DecimalFormat = {}): string {
  const d = parseDecimal(value)
  if (!d) return EMPTY
  const minFrac = opts.minFrac ?? 0
  return render(d, {
    minFrac,
    maxFrac: Math.max(opts.maxFrac ?? 8, minFrac),
    signed: opts.signed ?? false,
    group: opts.group ?? true,
  })
}

function withAsset(text: string, asset?: string | null): string {
  return text === EMPTY || !asset ? text : `${text} ${asset}`
}

/** Money: two decimals and the currency, "1,234.50 USDT". */
export function formatMoney(
  value: string | null | undefined,
  asset?: string | null,
  opts: { decimals?: number; signed?: boolean } = {},
): string {
  const decimals = opts.decimals ?? 2
  return withAsset(
    formatDecimal(value, { minFrac: decimals, maxFrac: decimals, signed: opts.signed }),
    asset,
  )
}

/** P&L: always signed, "+12.50 USDT" / "-3.10 USDT". */
export function formatPnl(value: string | null | undefined, asset?: string | null): string {
  return formatMoney(value, asset, { signed: true })
}

/** A price keeps its own precision (at least 2 decimals, at most 8). */
export function formatPrice(value: string | null | undefined, asset?: string | null): string {
  return withAsset(formatDecimal(value, { minFrac: 2, maxFrac: 8 }), asset)
}

/** A quantity: up to 8 decimals, trailing zeros dropped. */
export function formatQty(value: string | null | undefined, asset?: string | null): string {
  return withAsset(formatDecimal(value, { maxFrac: 8 }), asset)
}

/** A fraction (0..1) as a percentage: "0.8333" → "83.33%". */
export function formatFraction(value: string | null | undefined, decimals = 2): string {
  const d = parseDecimal(value)
  if (!d || value == null) return EMPTY
  return `${formatDecimal(shift(value, 2), { minFrac: decimals, maxFrac: decimals })}%`
}

/** A value already in percent: "2" → "2%". */
export function formatPercent(value: string | null | undefined, decimals = 2): string {
  const text = formatDecimal(value, { maxFrac: decimals })
  return text === EMPTY ? text : `${text}%`
}

/** -1, 0 or 1 for colouring P&L; 0 for missing values. */
export function pnlSign(value: string | null | undefined): -1 | 0 | 1 {
  const d = parseDecimal(value)
  if (!d) return 0
  return d.units < 0n ? -1 : d.units > 0n ? 1 : 0
}

/** Tailwind text colour for a P&L value. */
export function pnlClass(value: string | null | undefined): string {
  const s = pnlSign(value)
  return s > 0 ? 'text-emerald-400' : s < 0 ? 'text-red-400' : 'text-slate-300'
}

/** A name as a label: "fee_asset" → "Fee asset", "mean_reversion" → "Mean reversion". */
export function humanize(name: string): string {
  const words = name.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}
