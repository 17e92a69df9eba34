// Exact decimal arithmetic on the API's decimal strings ("95000.5", "-3.1").
// Money never goes through a JS float: values are parsed into a BigInt of units
// plus a scale (number of fractional digits), computed on, and printed back.

export interface Dec {
  /** the value times 10^scale */
  units: bigint
  /** number of fractional digits */
  scale: number
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?$/

/** Parses a plain decimal string (no exponent). Returns null when it is not one. */
export function parseDecimal(input: string | number | null | undefined): Dec | null {
  if (input === null || input === undefined) return null
  const text = String(input).trim()
  const m = DECIMAL_RE.exec(text)
  if (!m) return null
  const intPart = m[2] ?? ''
  const fracPart = m[3] ?? ''
  if (intPart === '' && fracPart === '') return null
  const digits = (intPart + fracPart).replace(/^0+(?=\d)/, '') || '0'
  let units = BigInt(digits)
  if (m[1] === '-') units = -units
  return { units, scale: fracPart.length }
}

export function isDecimal(input: string | null | undefined): boolean {
  return parseDecimal(input) !== null
}

function must(input: string): Dec {
  const d = parseDecimal(input)
  if (!d) throw new TypeError(`not a decimal: ${JSON.stringify(input)}`)
  return d
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n)
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale)
  return [a.units * pow10(scale - a.scale), b.units * pow10(scale - b.scale), scale]
}

/** Prints a Dec without trailing fractional zeros ("1.50" → "1.5", "-0" → "0"). */
export function decToString(d: Dec): string {
  const neg = d.units < 0n
  let digits = (neg ? -d.units : d.units).toString()
  let out: string
  if (d.scale === 0) {
    out = digits
  } else {
    digits = digits.padStart(d.scale + 1, '0')
    const int = digits.slice(0, digits.length - d.scale)
    const frac = digits.slice(digits.length - d.scale).replace(/0+$/, '')
    out = frac ? `${int}.${frac}` : int
  }
  return neg && out !== '0' ? `-${out}` : out
}

/** Normalises a decimal string ("007.50" → "7.5"). */
export function normalize(a: string): string {
  return decToString(must(a))
}

export function add(a: string, b: string): string {
  const [x, y, scale] = align(must(a), must(b))
  return decToString({ units: x + y, scale })
}

export function sub(a: string, b: string): string {
  const [x, y, scale] = align(must(a), must(b))
  return decToString({ units: x - y, scale })
}

export function mul(a: string, b: string): string {
  const x = must(a)
  const y = must(b)
  return decToString({ units: x.units * y.units, scale: x.scale + y.scale })
}

/** Sum of decimal strings; nulls are skipped. */
export function sum(values: ReadonlyArray<string | null | undefined>): string {
  return values.reduce<string>((acc, v) => (v == null ? acc : add(acc, v)), '0')
}

/** -1, 0 or 1 as a < b, a == b, a > b. */
export function cmp(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = align(must(a), must(b))
  return x < y ? -1 : x > y ? 1 : 0
}

export function sign(a: string): -1 | 0 | 1 {
  const d = must(a)
  return d.units < 0n ? -1 : d.units > 0n ? 1 : 0
}

export function isZero(a: string): boolean {
  return sign(a) === 0
}

/** Multiplies by 10^n (n may be negative): shift("0.8333", 2) → "83.33". */
export function shift(a: string, n: number): string {
  const d = must(a)
  if (n >= 0) {
    if (d.scale >= n) return decToString({ units: d.units, scale: d.scale - n })
    return decToString({ units: d.units * pow10(n - d.scale), scale: 0 })
  }
  return decToString({ units: d.units, scale: d.scale - n })
}

/** Rounds half away from zero to `decimals` fractional digits (decimals ≥ 0). */
export function roundDec(d: Dec, decimals: number): Dec {
  if (d.scale <= decimals) {
    return { units: d.units * pow10(decimals - d.scale), scale: decimals }
  }
  const drop = pow10(d.scale - decimals)
  const neg = d.units < 0n
  const abs = neg ? -d.units : d.units
  let q = abs / drop
  const r = abs % drop
  if (r * 2n >= drop) q += 1n
  return { units: neg ? -q : q, scale: decimals }
}

export function round(a: string, decimals: number): string {
  return decToString(roundDec(must(a), decimals))
}

/** Number of fractional digits a decimal string shows, trailing zeros ignored ("0.0100" → 2). */
export function fractionDigits(a: string): number {
  const s = normalize(a)
  const dot = s.indexOf('.')
  return dot < 0 ? 0 : s.length - dot - 1
}

/** For display-only consumers that need a number (the chart). Never for arithmetic on money. */
export function toChartNumber(a: string): number {
  return Number(normalize(a))
}
